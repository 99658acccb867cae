"""``workbench vocab``: a tokenizer's fertility (tokens per word) on packaged or user text."""

from __future__ import annotations

from . import print_result as _print

#: packaged texts the audit knows by name
TEXTS = ("bulgarian-wiki", "lee-background")


def _texts(spec: str) -> list[str]:
    from pathlib import Path  # noqa: PLC0415

    from .. import vocab  # noqa: PLC0415
    from ..datasets import load, load_texts  # noqa: PLC0415

    if spec == "bulgarian-wiki":
        return vocab.bulgarian_wiki()
    if spec == "lee-background":
        return list(load("lee-background").texts)
    if Path(spec).expanduser().exists():
        return list(load_texts(Path(spec).expanduser()).texts)
    raise ValueError(f"unknown text {spec!r}; give one of {', '.join(TEXTS)} or a file (.txt one text per line, "
                     f".csv/.jsonl with a text column)")


def cmd_vocab(args) -> None:
    import workbench as wb  # noqa: PLC0415

    from .. import vocab  # noqa: PLC0415

    tok = wb.load_encoder(args.model).tokenizer
    out = []
    for spec in args.text:
        texts = _texts(spec)
        stats = vocab.fertility(lambda t: tok.encode(t, add_special_tokens=False, verbose=False), texts)
        out.append({"text": spec, "model": args.model, "texts": len(texts), **stats})
        if not args.json:
            print(f"{spec:<16} {args.model}: {stats['tokens_per_word']:.2f} tokens/word, "
                  f"{stats['bytes_per_token']:.2f} bytes/token ({stats['words']} words, {len(texts)} texts)")
    if args.json:
        _print(out, True)


def register(sub) -> None:
    p = sub.add_parser("vocab", help="vocabulary: tokenizer fertility (tokens per word) on a text")
    p.set_defaults(func=cmd_vocab)
    act = p.add_subparsers(dest="action", required=True)
    a = act.add_parser("audit", help="tokens per word and bytes per token of a model's tokenizer")
    a.add_argument("--model", default="smollm2", help="a model name, folder or Hugging Face id")
    a.add_argument("--text", nargs="+", default=list(TEXTS),
                   help=f"packaged text ({', '.join(TEXTS)}) or files; several compare side by side")
    a.add_argument("--json", action="store_true")
