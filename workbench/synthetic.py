"""Synthetic training data from a small instruction-tuned decoder: generate, clean, cache, filter.

QZhou-Embedding (Yu et al. 2025) widens its training data with an LLM: it rewrites queries
(paraphrase), writes queries for documents that have none, and writes hard negatives that
look like the positive but do not answer the query. This module does the same with the
offline ``smollm2`` (SmolLM2-135M-Instruct) or any causal model:

* :class:`Generator` -- greedy, batched ``generate`` on a decoder that shares its weights
  with an :class:`~workbench.encoder.Encoder` (no second copy is loaded when the output
  head is tied to the input embeddings, as in SmolLM2);
* :data:`KINDS` -- what can be generated (``query``, ``paraphrase``, ``negative``), each
  an instruction and a token budget;
* :func:`generate` -- one kind for many source texts, cached on disk one batch per file
  (written atomically), so an interrupted run continues where it stopped; it reports
  tokens and seconds, hence throughput, for the part it computed;
* :func:`clean` -- the output's text, or why it is dropped (empty, malformed, a copy of
  the source, an echo of the prompt, too long); :func:`generate` counts each reason;
* filters: :func:`round_trip` (a generated query must retrieve its own document) and
  :func:`score_band` (a cosine threshold, e.g. a paraphrase close to its original, or a
  negative close to its positive but below the query's score for the positive).

Left out: sampling several candidates per source, LLM-as-judge filtering, and
chat models that need remote code.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from . import progress
from .cache import atomic_write_bytes, cache_dir, hash_texts, make_key
from .texts import check_texts

__all__ = ["KINDS", "DROP_REASONS", "Generated", "Generator", "Kind", "clean", "generate", "round_trip",
           "score_band"]


@dataclass(frozen=True)
class Kind:
    """One kind of generated text."""

    instruction: str      # the user message; the source text follows it
    max_new_tokens: int   # generation budget
    max_words: int        # a longer answer is dropped as "too long"
    one_line: bool        # keep only the first line of the answer
    answer_prefix: str    # the answer is started for the model (it continues after it; a quote closes it)


#: kind -> how it is asked for
KINDS: dict[str, Kind] = {
    "query": Kind("Write a short search query (at most 10 words) that this text answers. Reply with the query only."
                  "\n\nText: ", 24, 20, True, 'Search query: "'),
    "paraphrase": Kind("Rewrite this sentence with different words but the same meaning. Reply with the rewritten "
                       "sentence only.\n\nSentence: ", 32, 30, True, 'Rewritten: "'),
    "negative": Kind("Rewrite this text so that it is about something else and gives the opposite opinion, in the "
                     "same style and length. Reply with the rewritten text only.\n\nText: ", 80, 120, False,
                     'Rewritten text: "'),
}

#: why an output is dropped
DROP_REASONS: tuple[str, ...] = ("malformed", "empty", "echo", "chatter", "copy", "too long")

_LABEL = re.compile(r"^\s*(?:\*\*)?(?:search query|query|title|rewritten (?:text|sentence|review)|paraphrase|"
                    r"sentence|text|answer|review)\s*(?:\*\*)?\s*:\s*", re.I)
_MARKERS = ("<|im_start|>", "<|im_end|>", "<|endoftext|>")
_CHATTER = re.compile(r"^(?:i'm |i am |sure\b|certainly\b|here's |here is |as an ai\b|i can |i'd be )", re.I)


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def clean(raw, kind: str, source: str) -> tuple[str | None, str | None]:
    """The usable text of one generated output, or ``(None, reason)`` with a reason from :data:`DROP_REASONS`.

    The answer was started with the kind's ``answer_prefix`` (which opens a quote), so
    the text ends at the closing quote; a leading label (``Query:``), wrapping quotes
    and, for one-line kinds, everything after the first line are stripped. Dropped: a
    non-string (``malformed``), nothing left (``empty``), the instruction or chat
    markers repeated (``echo``), an assistant's preamble instead of the answer
    (``chatter``: "Here's ...", "I'm ..."), the source itself (``copy``: same words in
    the same order), more than the kind's word limit (``too long``).

    Examples
    --------
    >>> clean('Query: "cheap red dress"\\nAnother line', "query", "A long review of a red dress.")
    ('cheap red dress', None)
    >>> clean('drapey linen shirt" for summer', "query", "A review."), clean("Here's a query", "query", "A review.")
    (('drapey linen shirt', None), (None, 'chatter'))
    >>> clean("   ", "query", "x"), clean(None, "query", "x")
    ((None, 'empty'), (None, 'malformed'))
    >>> clean("The Cat sat.", "paraphrase", "the cat sat")
    (None, 'copy')
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid: {', '.join(KINDS)}")
    if not isinstance(raw, str):
        return None, "malformed"
    spec = KINDS[kind]
    text = raw.strip()
    if spec.answer_prefix.endswith('"') and '"' in text:  # the answer ends at the quote that closes it
        parts = text.split('"')
        text = next((p for p in parts if _normal(_LABEL.sub("", p))), parts[0])
    if any(m in text for m in _MARKERS) or spec.instruction.split(".")[0].lower() in text.lower():
        return None, "echo"
    if spec.one_line:
        text = next((line for line in text.splitlines() if line.strip()), "")
    text = _LABEL.sub("", text).strip().strip("\"'`*").strip()
    if not _normal(text):
        return None, "empty"
    if _CHATTER.match(text):
        return None, "chatter"
    if _normal(text) == _normal(source):
        return None, "copy"
    if len(text.split()) > spec.max_words:
        return None, "too long"
    return text, None


class Generator:
    """Greedy, batched text generation with a causal language model.

    Parameters
    ----------
    model : str or Encoder
        ``"smollm2"`` (loaded with :func:`workbench.load_encoder`) or a loaded decoder
        :class:`~workbench.encoder.Encoder`; its transformer is reused, and its output head
        too when tied to the input embeddings.
    repetition_penalty : float, default 1.1
    max_input_words : int, default 80
        The source text is cut to this many words before it enters the prompt.

    Attributes
    ----------
    identity : str
        Enters every cache key: the model's identity and the decoding settings.

    Examples
    --------
    >>> gen = Generator("smollm2")           # doctest: +SKIP
    >>> gen(["Reply with one word: hello"], max_new_tokens=4)  # doctest: +SKIP
    [('Hello', 2)]
    """

    def __init__(self, model="smollm2", *, repetition_penalty: float = 1.1, max_input_words: int = 80):
        import torch  # noqa: PLC0415

        from .models import load_encoder  # noqa: PLC0415

        enc = load_encoder(model) if isinstance(model, str) else model
        if not getattr(enc, "is_decoder", False):
            raise ValueError(f"{getattr(enc, 'name', model)!r} is not a decoder; generation needs a causal language "
                             "model such as 'smollm2'")
        self.encoder, self.tokenizer = enc, enc.tokenizer
        self.repetition_penalty = float(repetition_penalty)
        self.max_input_words = int(max_input_words)
        self.lm = self._causal_lm(enc, torch)
        self.identity = f"{enc.identity}|greedy|rp={self.repetition_penalty}|words={self.max_input_words}"

    @staticmethod
    def _causal_lm(enc, torch):
        from transformers import AutoModelForCausalLM  # noqa: PLC0415

        config = enc.model.config
        if getattr(config, "tie_word_embeddings", False):
            with torch.device("meta"):
                lm = AutoModelForCausalLM.from_config(config)
            lm.model = enc.model
            lm.lm_head = torch.nn.Linear(config.hidden_size, config.vocab_size, bias=False)
            lm.lm_head.weight = enc.model.get_input_embeddings().weight
        else:
            lm = AutoModelForCausalLM.from_pretrained(enc.model.name_or_path, local_files_only=True,
                                                      dtype=torch.float32)
        return lm.eval()

    def prompt(self, kind: str, text: str) -> str:
        """The chat-formatted prompt for one source text, the answer started with the kind's prefix."""
        spec = KINDS[kind]
        words = text.split()
        body = " ".join(words[:self.max_input_words])
        messages = [{"role": "user", "content": spec.instruction + body}]
        if getattr(self.tokenizer, "chat_template", None):
            head = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:
            head = f"{spec.instruction}{body}\n"
        return head + spec.answer_prefix

    def __call__(self, prompts: Sequence[str], *, max_new_tokens: int, stop: bool = True) -> list[tuple[str, int]]:
        """Generated text and its number of new tokens, for each prompt (``stop``: end at a quote or newline)."""
        import torch  # noqa: PLC0415

        tok = self.tokenizer
        side = tok.padding_side
        tok.padding_side = "left"  # generation continues at the right end of every row
        try:
            batch = tok(list(prompts), return_tensors="pt", padding=True, add_special_tokens=False)
        finally:
            tok.padding_side = side
        with torch.inference_mode():
            out = self.lm.generate(**batch, max_new_tokens=int(max_new_tokens), do_sample=False,
                                   repetition_penalty=self.repetition_penalty, pad_token_id=tok.pad_token_id,
                                   stop_strings=['"', "\n"] if stop else None, tokenizer=tok)
        new = out[:, batch["input_ids"].shape[1]:]
        stop = {tok.eos_token_id, tok.pad_token_id} - {None}
        counts = []
        for row in new.tolist():
            n = next((i for i, t in enumerate(row) if t in stop), len(row))
            counts.append(n + (n < len(row)))
        return [(text, n) for text, n in zip(tok.batch_decode(new, skip_special_tokens=True), counts)]


@dataclass
class Generated:
    """What :func:`generate` returns: one entry per source text, in order."""

    kind: str
    sources: list[str]
    raw: list                      # the generator's output as it came
    texts: list[str | None]        # cleaned text, None where dropped
    reasons: list[str | None]      # why dropped (None: kept)
    tokens: int = 0                # new tokens generated in this call (cached batches excluded)
    seconds: float = 0.0           # generation time in this call
    cached: int = 0                # sources answered from the cache
    stored_tokens: int = 0         # tokens of every batch, as recorded when it was generated
    stored_seconds: float = 0.0    # seconds of every batch, as recorded when it was generated
    meta: dict = field(default_factory=dict)

    @property
    def kept(self) -> list[int]:
        """Positions of the sources with a usable generated text."""
        return [i for i, t in enumerate(self.texts) if t is not None]

    def dropped(self) -> dict[str, int]:
        """Dropped outputs by reason (every reason listed, zeros included)."""
        return {r: sum(1 for x in self.reasons if x == r) for r in DROP_REASONS}

    @property
    def tokens_per_second(self) -> float:
        """Generation throughput over every batch (as recorded when generated); NaN when none was timed."""
        return self.stored_tokens / self.stored_seconds if self.stored_seconds > 0 else float("nan")


def _folder(identity: str, kind: str, max_new_tokens: int):
    spec = KINDS[kind]
    key = make_key(kind="synthetic", model=identity, task=kind, instruction=spec.instruction,
                   prefix=spec.answer_prefix,
                   max_new_tokens=int(max_new_tokens), version=1)
    return cache_dir() / "synthetic" / key[:2] / key


def _read_batches(folder) -> dict[str, dict]:
    found: dict[str, dict] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        try:
            batch = json.loads(path.read_text(encoding="utf-8"))
            n = len(batch["sources"])
            for h, raw in zip(batch["sources"], batch["raw"]):
                found[h] = {"raw": raw, "tokens": batch["tokens"] / n, "seconds": batch["seconds"] / n}
        except (OSError, ValueError, KeyError, TypeError, ZeroDivisionError):
            continue  # a damaged batch file is regenerated
    return found


def generate(generator: Generator | Callable, texts: Sequence[str], kind: str, *, batch_size: int = 8,
             max_new_tokens: int | None = None, cache: bool = True, max_seconds: float | None = None,
             show_progress: bool | None = None) -> Generated:
    """Generate one ``kind`` of text for every source text, cached and resumable.

    Parameters
    ----------
    generator : Generator or callable
        A :class:`Generator`, or any ``f(list of source texts, kind) -> list of str``
        (then nothing is cached unless it has an ``identity`` attribute).
    texts : list of str
        Source texts (documents for ``query`` and ``negative``, queries for ``paraphrase``).
    kind : str
        A key of :data:`KINDS`.
    batch_size : int, default 8
        Prompts per ``generate`` call; also the unit written to the cache.
    max_new_tokens : int, optional
        Default: the kind's budget.
    cache : bool, default True
        Read and write ``<cache>/synthetic/<key>/`` (one file per batch, atomic writes);
        a rerun generates only the sources not yet stored.
    max_seconds : float, optional
        Stop starting new batches after this long; the sources left have ``None`` with the
        reason ``"not generated"`` (not a drop) and a rerun continues with them.
    show_progress : bool, optional

    Returns
    -------
    Generated

    Examples
    --------
    >>> fake = lambda sources, kind: ["Query: " + s.split()[0] for s in sources[:-1]] + [""]
    >>> out = generate(fake, ["red dress review", "blue jeans review", "a hat"], "query", cache=False)
    >>> out.texts, out.dropped()["empty"]
    (['red', 'blue', None], 1)
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid: {', '.join(KINDS)}")
    sources = check_texts(texts)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    budget = int(max_new_tokens or KINDS[kind].max_new_tokens)
    identity = getattr(generator, "identity", None)
    use_cache = cache and identity is not None
    folder = _folder(identity, kind, budget) if use_cache else None
    stored = _read_batches(folder) if use_cache else {}
    hashes = [hash_texts([s]) for s in sources]
    before = {h for h in hashes if h in stored}
    todo = list(dict.fromkeys(h for h in hashes if h not in stored))
    by_hash = {h: s for h, s in zip(hashes, sources)}
    tokens, seconds, stopped = 0, 0.0, False
    with progress.bar(len(todo), f"generating {kind}", show_progress) as bar:
        for start in range(0, len(todo), batch_size):
            if max_seconds is not None and seconds >= max_seconds:
                stopped = True
                break
            chunk = todo[start:start + batch_size]
            t0 = time.perf_counter()
            if isinstance(generator, Generator):
                pairs = generator([generator.prompt(kind, by_hash[h]) for h in chunk],
                                  max_new_tokens=budget)
                raw, n_tok = [p[0] for p in pairs], sum(p[1] for p in pairs)
            else:
                raw = list(generator([by_hash[h] for h in chunk], kind))
                if len(raw) != len(chunk):
                    raise ValueError(f"the generator returned {len(raw)} outputs for {len(chunk)} prompts")
                n_tok = sum(len(r.split()) for r in raw if isinstance(r, str))  # words stand in for tokens
            dt = time.perf_counter() - t0
            tokens, seconds = tokens + n_tok, seconds + dt
            raw = [r if isinstance(r, str) else None for r in raw]  # anything but text is malformed
            for h, r in zip(chunk, raw):
                stored[h] = {"raw": r, "tokens": n_tok / len(chunk), "seconds": dt / len(chunk)}
            if use_cache:
                record = {"sources": chunk, "raw": raw, "tokens": n_tok, "seconds": dt}
                atomic_write_bytes(folder / f"{make_key(batch=chunk)}.json", json.dumps(record).encode())
            bar.update(len(chunk))
    raw_out, texts_out, reasons = [], [], []
    for h, s in zip(hashes, sources):
        entry = stored.get(h)
        text, why = clean(entry["raw"], kind, s) if entry else (None, "not generated")
        raw_out.append(entry["raw"] if entry else None)
        texts_out.append(text)
        reasons.append(why)
    seen = [stored[h] for h in dict.fromkeys(hashes) if h in stored]
    return Generated(kind, sources, raw_out, texts_out, reasons, tokens=tokens, seconds=seconds,
                     cached=sum(1 for h in hashes if h in before),
                     stored_tokens=int(round(sum(v["tokens"] for v in seen))),
                     stored_seconds=float(sum(v["seconds"] for v in seen)),
                     meta={"max_new_tokens": budget, "batch_size": batch_size, "stopped_early": stopped,
                           "not_generated": reasons.count("not generated")})


def _unit(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)


def round_trip(Q: np.ndarray, X: np.ndarray, targets: Sequence[int], *, k: int = 1) -> np.ndarray:
    """Whether each query ranks its own document (row ``targets[i]`` of ``X``) within the top ``k`` by cosine.

    Examples
    --------
    >>> Q = np.array([[1.0, 0.0], [1.0, 0.1]]); X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> round_trip(Q, X, [0, 1]).tolist()
    [True, False]
    """
    Q, X = _unit(Q), _unit(X)
    targets = np.asarray(targets, dtype=int)
    if len(targets) != len(Q):
        raise ValueError(f"{len(targets)} targets for {len(Q)} queries; give each query its document's row")
    if len(targets) and (targets.min() < 0 or targets.max() >= len(X)):
        raise ValueError(f"target rows must lie in 0..{len(X) - 1}")
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    S = Q @ X.T
    own = S[np.arange(len(Q)), targets]
    rank = (S > own[:, None]).sum(axis=1)  # documents scoring strictly above the own one
    return rank < k


def score_band(A: np.ndarray, B: np.ndarray, *, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """Whether the cosine of each row pair ``(A[i], B[i])`` lies in ``[low, high]``.

    Examples
    --------
    >>> score_band(np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]), low=0.5).tolist()
    [True, False]
    """
    A, B = _unit(A), _unit(B)
    if A.shape != B.shape:
        raise ValueError(f"A and B must be aligned row by row; shapes {A.shape} and {B.shape}")
    if not -1.0 <= low <= high <= 1.0:
        raise ValueError(f"need -1 <= low <= high <= 1, got low={low}, high={high}")
    cos = (A * B).sum(axis=1)
    return (cos >= low) & (cos <= high)
