"""``workbench compress`` (size-vs-quality table) and ``workbench index-bench`` (the index lab)."""

from __future__ import annotations

from . import add_encode_flags, encode_options, load_data
from . import print_result as _print


def _retrieval(args):
    from ..datasets import RetrievalDataset  # noqa: PLC0415
    from ..evaluate.retrieval import retrieval_subset  # noqa: PLC0415

    data = load_data(args.data)
    if not isinstance(data, RetrievalDataset):
        raise ValueError(f"--data {args.data!r} is a {type(data).__name__}; compress needs a retrieval set "
                         "(e.g. rotten-tomatoes-synopsis, python-docstrings, or a BEIR / MTEB folder)")
    if args.max_queries is not None or args.max_docs is not None:
        data = retrieval_subset(data, args.max_queries or len(data.queries), args.max_docs)
    return data


def _table(frame, as_json: bool) -> None:
    if as_json:
        _print(frame.to_dict(orient="records"), True)
    else:
        print(frame.to_string(index=False, float_format=lambda v: f"{v:.4g}"))


def cmd_compress(args) -> None:
    from ..experiments.pareto import check_pareto_method, pareto  # noqa: PLC0415
    from ..models import load_encoder  # noqa: PLC0415

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for method in methods:
        check_pareto_method(method)
    data = _retrieval(args)
    table = pareto(load_encoder(args.model), data, methods=methods, rescore_multiplier=args.rescore_multiplier,
                   rescore_with=args.rescore_with, show_progress=None, **encode_options(args))
    _table(table, args.json)


def cmd_index_bench(args) -> None:
    import numpy as np  # noqa: PLC0415

    from ..datasets import RetrievalDataset  # noqa: PLC0415
    from ..models import load_encoder  # noqa: PLC0415
    from ..search import index_lab, make_index  # noqa: PLC0415
    from . import texts_of  # noqa: PLC0415

    indexes = [s.strip() for s in args.indexes.split(",") if s.strip()]
    for spec in indexes:
        make_index(spec)  # a bad name fails before any encoding
    enc = load_encoder(args.model)
    opts = dict(show_progress=None, **encode_options(args))
    if isinstance(load_data(args.data), RetrievalDataset):
        data = _retrieval(args)
        X, Q = enc.encode(data.documents, **opts), enc.encode(data.query_texts, **opts)
    else:  # a text set: every 10th text (up to 500) is held out as a query
        texts = texts_of(load_data(args.data), None)[: args.max_docs]
        if len(texts) < 20:
            raise ValueError(f"--data {args.data!r} has {len(texts)} texts; index-bench needs at least 20")
        held = np.zeros(len(texts), bool)
        held[::10] = True
        held[np.flatnonzero(held)[(args.max_queries or 500):]] = False
        V = enc.encode(texts, **opts)
        X, Q = V[~held], V[held]
    _table(index_lab(X, Q, indexes, k=args.k, show_progress=None), args.json)


def register(sub) -> None:
    p = sub.add_parser("compress", help="size-vs-quality table of compression methods on a retrieval set")
    add_encode_flags(p)
    p.add_argument("--methods", default="int8,int4,binary,binary+rescore,pq32",
                   help="comma-separated: int8, int4, binary, truncateN, pcaN, pqM, opqM, pca128>int8, "
                        "an index name, each optionally with +rescore")
    p.add_argument("--rescore-multiplier", type=int, default=4, help="candidates re-ranked = this x k")
    p.add_argument("--rescore-with", default="float32", choices=["float32", "int8"])
    p.add_argument("--max-queries", type=int, default=None, help="a deterministic subset of this many queries")
    p.add_argument("--max-docs", type=int, default=None, help="with --max-queries: corpus size (relevant docs kept)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compress)
    p = sub.add_parser("index-bench", help="recall@k, QPS, memory and build time of each index on a data set")
    add_encode_flags(p)
    p.add_argument("--indexes", default="flat,ivf-flat,hnsw,ivf-pq,binary,binary+rescore,int8",
                   help="comma-separated index names (workbench.search.INDEXES) or compressor specs")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--max-queries", type=int, default=None, help="at most this many queries")
    p.add_argument("--max-docs", type=int, default=None, help="at most this many documents / texts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_index_bench)
