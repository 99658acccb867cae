"""``workbench train-static``: learn word vectors from packaged corpora or a text file, save and evaluate them."""

from __future__ import annotations

from pathlib import Path

from . import print_result as _print


def cmd_train_static(args) -> None:
    import workbench as wb  # noqa: PLC0415

    from ..learn.corpus import CORPORA, load_corpus, tokenize_texts  # noqa: PLC0415
    from ..learn.static_text import save_vectors, train_static  # noqa: PLC0415
    from ..learn.word_pairs import evaluate_word_pairs  # noqa: PLC0415

    if args.text:
        path = Path(args.text).expanduser()
        if not path.is_file():
            raise ValueError(f"--text {args.text!r} is not a file (one document per line)")
        docs = tokenize_texts(path.read_text(encoding="utf-8").splitlines())
        docs = [d for d in docs if d]
        source = str(path)
    else:
        names = [n.strip() for n in args.corpus.split(",") if n.strip()]
        bad = [n for n in names if n not in CORPORA]
        if bad:
            raise ValueError(f"unknown corpus {bad[0]!r}; valid: {', '.join(CORPORA)}")
        docs = load_corpus(names, max_tokens=args.max_tokens).docs
        source = ",".join(names)
    lv = train_static(docs, args.method, dim=args.dim, window=args.window, min_count=args.min_count,
                      epochs=args.epochs, seed=args.seed, workers=args.workers, show_progress=None)
    result = {"method": args.method, "corpus": source, "tokens": lv.n_tokens, "vocabulary": len(lv.words),
              "dim": int(lv.vectors.shape[1])}
    if args.out:
        result["out"] = str(save_vectors(lv, args.out, overwrite=args.overwrite))
    if args.eval:
        for name in ("wordsim353", "simlex999"):
            res = evaluate_word_pairs(lv, wb.datasets.load(name), n_resamples=0, warn=False)
            result[name] = {k: res[k] for k in ("spearman", "n", "oov_pairs", "oov_words")}
    _print(result, args.json)


def register(sub) -> None:
    from ..learn.corpus import CORPORA  # noqa: PLC0415
    from ..learn.static_text import METHODS  # noqa: PLC0415

    p = sub.add_parser("train-static", help="learn static word vectors from raw text (skip-gram, fastText, ...)")
    p.set_defaults(func=cmd_train_static)
    p.add_argument("--method", choices=METHODS, default="skipgram")
    p.add_argument("--corpus", default=",".join(CORPORA), help="packaged text sets, comma-separated")
    p.add_argument("--text", default=None, help="a UTF-8 text file, one document per line (instead of --corpus)")
    p.add_argument("--max-tokens", type=int, default=None, help="stop reading the corpus after this many tokens")
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=1, help="threads (only 1 repeats exactly)")
    p.add_argument("--out", default=None, help="folder for vectors.npy + vocab.parquet (GloVe's layout)")
    p.add_argument("--overwrite", action="store_true", help="replace an --out folder that holds other files")
    p.add_argument("--eval", action="store_true", help="score WordSim-353 and SimLex-999 (covered pairs)")
    p.add_argument("--json", action="store_true")
