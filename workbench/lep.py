"""Learned Embedding Propagation at toy scale: extend, train the new rows, move them to a variant.

One function, :func:`run_lep`, wires :mod:`workbench.vocab` into the experiment:

1. audit: tokens per word of the base tokenizer on the Bulgarian Wikipedia excerpt that
   gensim ships (Cyrillic; SmolLM2's vocabulary is mostly English) against English news
   text (the Lee background corpus);
2. extend the vocabulary with the words that save the most tokens on the training
   paragraphs; initialise the new rows as the mean of their sub-token rows, or at random;
3. train only the new rows; measure held-out bits per byte, tokens per word, and drift
   on English (KL divergence of next-token distributions before and after, in bits per
   token);
4. propagation: derive a second variant of the model by a short instruction-style
   fine-tune (the last blocks and the final norm, on English news continued in the
   chat template; the embedding layer frozen), then give it the learned rows without
   retraining, against the variant with mean-initialised rows and, when asked, rows
   retrained on the variant itself.

Left out: the paper's tokenizer training, its continued pre-training on billions of
tokens and its instruction benchmarks; see ``workbench.reproduce.entries.lep`` for
what the small version can and cannot say.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pandas as pd
import torch

from . import vocab as V
from .progress import bar

__all__ = ["LEPConfig", "derive_variant", "run_lep"]


@dataclass(frozen=True)
class LEPConfig:
    n_new: int = 300          # new tokens added to the vocabulary
    steps: int = 12           # Adam steps training the new rows
    length: int = 64          # tokens per training window
    batch_size: int = 1       # windows per step
    lr: float = 3e-3          # learning rate for the new rows
    variant_steps: int = 4    # steps of the instruction-style fine-tune deriving the variant
    variant_blocks: int = 2   # last transformer blocks the fine-tune changes
    eval_chars: int = 2000    # held-out Bulgarian characters scored
    english_docs: int = 2     # English documents for drift
    english_tokens: int = 128  # tokens kept of each English document
    retrain_on_variant: bool = False  # also retrain rows on the variant (the cost propagation avoids)
    seed: int = 0

    @classmethod
    def smoke(cls) -> "LEPConfig":
        return cls(n_new=10, steps=1, length=8, batch_size=1, variant_steps=1, eval_chars=60, english_docs=1,
                   english_tokens=12, retrain_on_variant=False)


def _instruction_texts(tokenizer, docs: list[str]) -> list[str]:
    out = []
    for d in docs:
        sents = d.split(". ")
        head, rest = sents[0] + ".", ". ".join(sents[1:4])
        msgs = [{"role": "user", "content": f"Continue this news story: {head}"},
                {"role": "assistant", "content": rest}]
        out.append(tokenizer.apply_chat_template(msgs, tokenize=False))
    return out


def derive_variant(model, tokenizer, texts: list[str], *, steps: int, blocks: int = 2, length: int = 64,
                   lr: float = 1e-4, seed: int = 0, show_progress: bool | None = None):
    """A copy of ``model`` fine-tuned for ``steps`` on ``texts`` (chat-formatted); only the last ``blocks`` change.

    The embedding layer is frozen, so the variant shares the base's rows and a new row
    learned on the base can be swapped in directly.
    """
    variant = copy.deepcopy(model)
    for p in variant.parameters():
        p.requires_grad_(False)
    train = list(variant.layers[-blocks:].parameters()) + list(variant.norm.parameters())
    for p in train:
        p.requires_grad_(True)
    E = variant.get_input_embeddings().weight
    ids = sum((tokenizer.encode(t, add_special_tokens=False) for t in texts), [])
    data = V.windows(ids, length) if len(ids) >= length else torch.tensor([ids])
    opt = torch.optim.Adam(train, lr=lr)
    g = torch.Generator().manual_seed(seed)
    progress = bar(steps, "variant", show_progress)
    for _ in range(steps):
        batch = data[torch.randint(len(data), (1,), generator=g)]
        loss = V.sequence_nll(variant, E, batch).sum() / (batch.shape[1] - 1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        progress.update(1)
    progress.close()
    for p in variant.parameters():
        p.requires_grad_(False)
    variant.eval()
    return variant


def _split(paras: list[str], eval_chars: int) -> tuple[list[str], list[str]]:
    held = paras[2::5]
    train = [p for i, p in enumerate(paras) if i % 5 != 2]
    kept, n = [], 0
    for p in held:
        if n >= eval_chars:
            break
        kept.append(p[: eval_chars - n])
        n += len(kept[-1])
    return train, kept


def run_lep(encoder, config: LEPConfig | None = None, *, show_progress: bool | None = None,
            use_cache: bool = True) -> dict:
    """The whole experiment on a decoder encoder (SmolLM2); returns tables and curves.

    Drift is measured against the same model without the new rows, so the variant's
    fine-tune does not count as drift of the propagated rows.

    Returns a dict with ``audit`` (tokens per word, bytes per token: base and extended
    tokenizer, Bulgarian and English), ``table`` (one row per model x rows: held-out
    bits per byte on Bulgarian and English, KL drift on English) and ``curves`` (the
    training losses). Trained rows are stored in the cache (``vocab`` namespace).
    """
    from .datasets import load  # noqa: PLC0415

    cfg = config or LEPConfig()
    model, tok = encoder.model, encoder.tokenizer
    torch.manual_seed(cfg.seed)
    train, held = _split(V.bulgarian_wiki(), cfg.eval_chars)
    english = [t for t in load("lee-background").texts[: cfg.english_docs]]
    english_eval = [tok.decode(tok.encode(t, add_special_tokens=False)[: cfg.english_tokens]) for t in english]
    base_tok = V.ExtendedTokenizer(tok)
    ext = V.extend(tok, V.choose_new_tokens(tok, train, cfg.n_new),
                   base_size=model.get_input_embeddings().num_embeddings)
    ext_tok = V.ExtendedTokenizer(tok, ext)
    audit = pd.DataFrame([
        {"text": "Bulgarian (held out)", "tokenizer": "base", **V.fertility(base_tok.encode, held)},
        {"text": "Bulgarian (held out)", "tokenizer": f"extended +{cfg.n_new}", **V.fertility(ext_tok.encode, held)},
        {"text": "English (Lee)", "tokenizer": "base", **V.fertility(base_tok.encode, english_eval)},
        {"text": "English (Lee)", "tokenizer": f"extended +{cfg.n_new}", **V.fertility(ext_tok.encode, english_eval)},
    ])
    E = model.get_input_embeddings().weight.detach()
    ids = sum((ext_tok.encode(p) + [tok.eos_token_id] for p in train), [])
    kw = dict(steps=cfg.steps, length=cfg.length, batch_size=cfg.batch_size, lr=cfg.lr, seed=cfg.seed,
              show_progress=show_progress)
    tag = f"{encoder.identity}|{cfg}"
    rows, curves = {}, {}

    def trained(name, start, m):
        cached = V.load_rows(ext, f"{tag}|{name}") if use_cache else None
        if cached is not None:
            return cached
        r, losses = V.train_new_rows(m, E, start, ids, **kw)
        curves[name] = losses
        if use_cache:
            V.save_rows(ext, r, f"{tag}|{name}")
        return r

    rows["mean init"] = V.init_rows(E, ext, "mean")
    rows["random init"] = V.init_rows(E, ext, "random", seed=cfg.seed)
    rows["mean init, trained"] = trained("mean", rows["mean init"], model)
    rows["random init, trained"] = trained("random", rows["random init"], model)

    def measure(m, model_name, rows_name, R):
        Ef = E if R is None else torch.cat([E, R])
        enc_fn = base_tok.encode if R is None else ext_tok.encode
        return {"model": model_name, "rows": rows_name,
                "bg_bits_per_byte": V.bits_per_byte(m, Ef, enc_fn, held),
                "en_bits_per_byte": V.bits_per_byte(m, Ef, enc_fn, english_eval),
                "en_kl_bits_per_token": 0.0 if R is None else V.drift_kl(m, E, Ef, base_tok.encode, english_eval)}
    table = [measure(model, "base", "base vocabulary", None)]
    for name in ("mean init", "random init", "mean init, trained", "random init, trained"):
        table.append(measure(model, "base", name, rows[name]))
    variant = derive_variant(model, tok, _instruction_texts(tok, load("lee-background").texts[50:80]),
                             steps=cfg.variant_steps, blocks=cfg.variant_blocks, length=cfg.length, seed=cfg.seed,
                             show_progress=show_progress)
    table.append(measure(variant, "variant", "base vocabulary", None))
    table.append(measure(variant, "variant", "mean init", rows["mean init"]))
    table.append(measure(variant, "variant", "propagated (trained on base)", rows["mean init, trained"]))
    if cfg.retrain_on_variant:
        table.append(measure(variant, "variant", "mean init, trained on variant",
                             trained("variant", rows["mean init"], variant)))
    out = pd.DataFrame(table)
    return {"audit": audit, "table": out, "curves": curves, "new_tokens": list(ext.tokens),
            "sizes": {"train_paragraphs": len(train), "train_tokens": len(ids), "held_chars": sum(map(len, held)),
                      "english_docs": len(english_eval), "n_new": cfg.n_new}}
