"""Models compared on the code tasks, each a feature map plus a logistic-regression probe.

* ``tfidf`` -- TF-IDF over identifier and operator tokens, unigrams and bigrams;
* ``skipgram`` -- the mean of skip-gram vectors learned on the training split's code tokens;
* ``minilm`` -- the frozen sentence encoder's mean-pooled vector;
* ``smollm2-mean`` / ``smollm2-last`` / ``smollm2-layers`` -- SmolLM2 hidden states of the
  prompted code: mean over tokens, the last token, and the mean of three layers (a third,
  two thirds and all the way up) side by side;
* ``codeprompt`` -- in the spirit of CodePrompt (Choi and Lee, 2023): the code inside a
  question template, read through the language model's next-token logits of verbaliser
  words (``yes``/``no``, or the exception names); ``codeprompt-zero-shot`` takes their
  argmax without training, ``codeprompt`` fits the probe on those few logits.

One forward pass of SmolLM2 per example gives all its feature sets. Accuracy carries a
bootstrap 95% interval over test examples (:func:`workbench.evaluate.stats.bootstrap_ci`);
feature time is reported per example. Left out: fine-tuning (CuBERT fine-tunes its
encoder) and CodePrompt's learned soft prompts and knowledge-attention layer.
"""

from __future__ import annotations

import re
import time
from typing import Sequence

import numpy as np

from ..evaluate.stats import bootstrap_ci
from .code_tasks import EXCEPTIONS

FEATURES: tuple[str, ...] = ("tfidf", "skipgram", "minilm", "smollm2-mean", "smollm2-last", "smollm2-layers",
                             "codeprompt", "codeprompt-zero-shot")
_CODE_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+|==|!=|<=|>=|//|\*\*|<<|>>|[^\sA-Za-z0-9_]")
QUESTIONS = {
    "exception": "Which exception class does __HOLE__ stand for?",
    "variable-misuse": "Is a variable used where another variable was meant? Answer yes or no.",
    "swapped-operands": "Are the operands of an operation in the wrong order? Answer yes or no.",
    "wrong-operator": "Is a wrong operator used somewhere? Answer yes or no.",
    "docstring-mismatch": "Does the docstring describe this function? Answer yes or no.",
}


def code_tokens(text: str) -> list[str]:
    """Identifiers, numbers and operators of a piece of code.

    Examples
    --------
    >>> code_tokens("if a <= b_1: return a**2")
    ['if', 'a', '<=', 'b_1', ':', 'return', 'a', '**', '2']
    """
    return _CODE_TOKEN.findall(text)


def verbaliser(task: str) -> tuple[list[str], list]:
    """Verbaliser words and the label each stands for."""
    if task == "exception":
        return [f" {e}" for e in EXCEPTIONS], list(EXCEPTIONS)
    if task == "docstring-mismatch":
        return [" yes", " no"], [1, 0]
    return [" yes", " no"], [1, 0]


def prompt(text: str, task: str, *, max_chars: int = 1200) -> str:
    """The template: the code (cut to ``max_chars``), then the task's question and ``Answer:``."""
    return f"{text[:max_chars]}\n\n# Question: {QUESTIONS[task]}\n# Answer:"


def smollm2_features(enc, texts: Sequence[str], task: str, *, batch_size: int = 8, max_tokens: int = 384) -> dict:
    """All SmolLM2 feature sets of the prompted texts from one forward pass each.

    Returns
    -------
    dict name -> (n, d) array for ``smollm2-mean``, ``smollm2-last``, ``smollm2-layers``, ``codeprompt``
    (verbaliser logits) and ``ms_per_example``
    """
    import torch  # noqa: PLC0415

    tok, model = enc.tokenizer, enc.model
    words, _ = verbaliser(task)
    ids = [tok(w, add_special_tokens=False)["input_ids"][0] for w in words]
    if len(set(ids)) != len(ids):
        raise ValueError(f"verbaliser words {words} share a first token in {enc.name}'s vocabulary")
    head = model.get_input_embeddings().weight  # SmolLM2 ties its output head to the input embeddings
    n_layers = model.config.num_hidden_layers
    layers = sorted({n_layers // 3, 2 * n_layers // 3, n_layers})
    out = {k: [] for k in ("smollm2-mean", "smollm2-last", "smollm2-layers", "codeprompt")}
    t0 = time.perf_counter()
    for s in range(0, len(texts), batch_size):
        batch = [prompt(t, task) for t in texts[s:s + batch_size]]
        enc_in = [tok(b, add_special_tokens=False)["input_ids"][-max_tokens:] for b in batch]  # keep the question
        width = max(map(len, enc_in))
        input_ids = torch.full((len(batch), width), tok.pad_token_id or 0, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for i, x in enumerate(enc_in):
            input_ids[i, : len(x)] = torch.tensor(x)
            mask[i, : len(x)] = 1
        with torch.no_grad():
            res = model(input_ids=input_ids, attention_mask=mask, output_hidden_states=True)
            codeprompt = res.last_hidden_state[torch.arange(len(batch)), mask.sum(1) - 1] @ head[ids].T
        hs = res.hidden_states
        last_pos = mask.sum(1) - 1
        m = mask[..., None].float()
        mean = lambda h: (h * m).sum(1) / m.sum(1)  # noqa: E731
        rows = torch.arange(len(batch))
        final = res.last_hidden_state[rows, last_pos]
        out["smollm2-mean"].append(mean(hs[-1]).numpy())
        out["smollm2-last"].append(final.numpy())
        out["smollm2-layers"].append(torch.cat([mean(hs[i]) for i in layers], 1).numpy())
        out["codeprompt"].append(codeprompt.numpy())
    res = {k: np.concatenate(v).astype(np.float32) for k, v in out.items()}
    res["ms_per_example"] = (time.perf_counter() - t0) * 1000 / max(1, len(texts))
    return res


def _probe(Xtr, ytr, Xte, seed: int):
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.pipeline import make_pipeline  # noqa: PLC0415
    from sklearn.preprocessing import StandardScaler  # noqa: PLC0415

    clf = make_pipeline(StandardScaler(with_mean=not hasattr(Xtr, "tocsr")),
                        LogisticRegression(max_iter=2000, C=1.0, random_state=seed))
    return clf.fit(Xtr, ytr).predict(Xte)


def features(name: str, train_texts: Sequence[str], test_texts: Sequence[str], task: str, *, encoders=None,
             seed: int = 0, cached: dict | None = None):
    """(train features, test features, ms per example) of one feature map.

    ``encoders`` maps ``"minilm"`` / ``"smollm2"`` to loaded encoders; ``cached`` holds
    SmolLM2 outputs already computed for these texts (key ``("smollm2", id(texts))``).
    """
    if name not in FEATURES:
        raise ValueError(f"unknown code feature {name!r}; valid: {', '.join(FEATURES)}")
    t0 = time.perf_counter()
    if name == "tfidf":
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415

        vec = TfidfVectorizer(tokenizer=code_tokens, lowercase=False, ngram_range=(1, 2), min_df=2,
                              token_pattern=None)
        Xtr, Xte = vec.fit_transform(train_texts), vec.transform(test_texts)
    elif name == "skipgram":
        from .static_text import train_static  # noqa: PLC0415

        lv = train_static([code_tokens(t) for t in train_texts], "skipgram", dim=64, min_count=2, epochs=5,
                          seed=seed)

        def embed(texts):
            rows = []
            for t in texts:
                vs = [v for v in (lv.lookup(w) for w in code_tokens(t)) if v is not None]
                rows.append(np.mean(vs, 0) if vs else np.zeros(lv.vectors.shape[1], np.float32))
            return np.stack(rows)
        Xtr, Xte = embed(train_texts), embed(test_texts)
    elif name == "minilm":
        enc = (encoders or {}).get("minilm")
        if enc is None:
            raise ValueError("the minilm feature needs encoders={'minilm': wb.load_encoder('minilm')}")
        Xtr = enc.encode(list(train_texts), show_progress=False)
        Xte = enc.encode(list(test_texts), show_progress=False)
    else:
        enc = (encoders or {}).get("smollm2")
        if enc is None:
            raise ValueError(f"the {name} feature needs encoders={{'smollm2': wb.load_encoder('smollm2')}}")
        cached = cached if cached is not None else {}
        key = (task, tuple(train_texts), tuple(test_texts))
        if key not in cached:
            cached[key] = (smollm2_features(enc, train_texts, task), smollm2_features(enc, test_texts, task))
        tr, te = cached[key]
        base = "codeprompt" if name.startswith("codeprompt") else name
        return tr[base], te[base], te["ms_per_example"]
    ms = (time.perf_counter() - t0) * 1000 / max(1, len(train_texts) + len(test_texts))
    return Xtr, Xte, ms


def learning_curve(splits: dict, task: str, feature_names: Sequence[str], sizes: Sequence[int] = (100, 300, 1000),
                   *, n_test: int | None = None, encoders=None, seed: int = 0, n_resamples: int = 1000):
    """Test accuracy (with a 95% bootstrap interval) for each feature map and training-set size.

    Parameters
    ----------
    splits : dict with ``"train"`` and ``"test"`` lists of CodeExample (:func:`.code_tasks.load_code_task`)
    task : str
    feature_names : names from :data:`FEATURES`
    sizes : training-set sizes (each a seeded random subset of the train split; sizes beyond it are dropped)
    n_test : int, optional
        Evaluate on this many test examples (a seeded subset).

    Returns
    -------
    pandas.DataFrame: task, feature, n_train, accuracy, ci_low, ci_high, n_test, ms_per_example, majority
    """
    import pandas as pd  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    train, test = list(splits["train"]), list(splits["test"])
    if len(train) < 2 or not test:
        raise ValueError(f"{task}: {len(train)} training and {len(test)} test examples; a learning curve needs at "
                         "least 2 and 1 (use more modules)")
    if n_test and n_test < len(test):
        test = [test[i] for i in sorted(rng.choice(len(test), n_test, replace=False))]
    order = rng.permutation(len(train))
    sizes = [s for s in sizes if s <= len(train)] or [len(train)]
    big = [train[i] for i in order[: max(sizes)]]
    y_test = np.array([str(e.label) for e in test])
    values, counts = np.unique(y_test, return_counts=True)
    majority = float(counts.max() / len(y_test))
    _, labels = verbaliser(task)
    rows, cached = [], {}
    for name in feature_names:
        Xtr_all, Xte, ms = features(name, [e.text for e in big], [e.text for e in test], task, encoders=encoders,
                                    seed=seed, cached=cached)
        for n in sizes:
            y_tr = np.array([str(e.label) for e in big[:n]])
            if name == "codeprompt-zero-shot":
                pred = np.array([str(labels[i]) for i in np.asarray(Xte).argmax(1)])
            elif len(set(y_tr.tolist())) < 2:
                pred = np.full(len(test), y_tr[0])
            else:
                pred = _probe(Xtr_all[:n], y_tr, Xte, seed)
            hit = (pred == y_test).astype(float)
            lo, hi = bootstrap_ci(hit, n_resamples=n_resamples) if n_resamples else (np.nan, np.nan)
            rows.append({"task": task, "feature": name, "n_train": 0 if name == "codeprompt-zero-shot" else n,
                         "accuracy": float(hit.mean()), "ci_low": lo, "ci_high": hi, "n_test": len(test),
                         "ms_per_example": ms, "majority": majority})
            if name == "codeprompt-zero-shot":
                break
    return pd.DataFrame(rows)
