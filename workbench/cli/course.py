"""``workbench course``: build the student and instructor editions of the lessons, grade submissions."""

from __future__ import annotations

from pathlib import Path

from . import print_result as _print


def cmd_build(args) -> None:
    from ..course.editions import build_editions  # noqa: PLC0415

    if not Path(args.lessons).is_dir():
        raise FileNotFoundError(f"no lesson folder {args.lessons}")
    sources = sorted(Path(args.lessons).glob("*.ipynb"))
    if not sources:
        raise ValueError(f"no lesson notebooks (*.ipynb) in {args.lessons}")
    written = build_editions(sources, args.out)
    if args.json:
        _print(written, True)
        return
    for edition, paths in written.items():
        print(f"{edition}: {len(paths)} notebooks in {Path(args.out) / edition}")


def cmd_grade(args) -> None:
    from ..course.grading import grade, score_table  # noqa: PLC0415

    results = grade(args.notebooks, timeout=args.timeout, kernel_name=args.kernel)
    if args.json:
        _print(results, True)
    else:
        print(score_table(results))


def register(sub) -> None:
    p = sub.add_parser("course", help="course editions and grading")
    topic = p.add_subparsers(dest="course_command", required=True)
    b = topic.add_parser("build", help="write student/ and instructor/ editions of the lesson notebooks")
    b.set_defaults(func=cmd_build)
    b.add_argument("--out", required=True, help="output folder (student/ and instructor/ are made inside)")
    b.add_argument("--lessons", default="notebooks/course", help="lesson notebook folder (default notebooks/course)")
    b.add_argument("--json", action="store_true")
    g = topic.add_parser("grade", help="run submitted notebooks in fresh kernels and score each exercise")
    g.set_defaults(func=cmd_grade)
    g.add_argument("notebooks", nargs="+", help="submitted .ipynb files")
    g.add_argument("--timeout", type=float, default=120.0, help="seconds each cell may run (default 120)")
    g.add_argument("--kernel", default="python3", help="Jupyter kernel name (default python3)")
    g.add_argument("--json", action="store_true")
