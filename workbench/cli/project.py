"""``workbench project``: a data set's embedding space as a standalone interactive HTML page."""

from __future__ import annotations

from . import print_result as _print


def cmd_project(args) -> None:
    from ..viz.export import projection_page  # noqa: PLC0415

    if args.max_points < 1:
        raise ValueError(f"--max-points must be a positive number, got {args.max_points}")
    _, info = projection_page(args.data, args.out, model=args.model, pooling=args.pooling, layer=args.layer,
                              postprocess_spec=args.postprocess, method=args.method, dims=args.dims,
                              colour_by=args.colour_by, max_points=args.max_points, seed=args.seed)
    _print(info, args.json)


def register(sub) -> None:
    from ..viz.pipeline import POSTPROCESS_CHOICES  # noqa: PLC0415
    from ..viz.projection import PROJECTIONS  # noqa: PLC0415

    p = sub.add_parser("project", help="write a data set's projection as a standalone interactive HTML page")
    p.set_defaults(func=cmd_project)
    p.add_argument("--model", default="minilm", help="embedded model name, local folder or Hugging Face id")
    p.add_argument("--data", required=True, help="packaged data set name (text, retrieval or pair set)")
    p.add_argument("--method", default="umap", choices=list(PROJECTIONS), help="projection (default umap)")
    p.add_argument("--dims", type=int, default=2, choices=[2, 3])
    p.add_argument("--pooling", default=None, help="pooling mode (default: the model's)")
    p.add_argument("--layer", type=int, default=-1, help="hidden layer to pool (0 = embeddings, -1 = last)")
    p.add_argument("--postprocess", default="normalize",
                   help=f"post-processing chain: {', '.join(POSTPROCESS_CHOICES)}")
    p.add_argument("--colour-by", default="label",
                   help="label (or none), an attribute column, k-occurrence, local dimension or norm")
    p.add_argument("--max-points", type=int, default=5000, help="evenly spaced rows of the data set to draw")
    p.add_argument("--seed", type=int, default=0, help="projection seed")
    p.add_argument("--out", required=True, help="output .html file")
    p.add_argument("--json", action="store_true")
