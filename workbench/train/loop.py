"""A plain, readable training loop for bi-encoders on (query, positive) pairs.

:func:`train` fine-tunes a copy of an encoder's transformer (the encoder passed in is
left as it was) and returns a :class:`TrainResult` holding the trained encoder, the
loss history and the evaluations. One step is: take the next seeded, duplicate-free
batch (``data.batches``), embed queries, positives and any hard negatives with the
model's own pooling, compute the loss (``losses``; wrapped in Matryoshka or 2D
Matryoshka when asked), back-propagate -- through ``gradcache`` when ``chunk_size`` is set,
so the batch can be far larger than memory allows -- accumulate over ``grad_accum``
micro-batches, clip, and take an AdamW step on a linear warm-up / linear decay schedule.

Every ``eval_every`` steps the model is scored on a held-out retrieval set with
``workbench.evaluate.evaluate_retrieval`` (nDCG@10); ``patience`` evaluations without
improvement stop training early and the best weights are restored. ``checkpoint_every``
writes a safetensors checkpoint to ``out_dir``; ``train(..., resume=True)`` continues from
it with the same data order, optimizer state and random state, so an interrupted run ends
bit for bit where an uninterrupted one would (``torch.use_deterministic_algorithms`` is on
while training). A live plotly figure follows the loss in a notebook; a tqdm bar does in
a terminal.

Left out: mixed precision, multi-GPU, learning-rate finders, and losses that need graded
scores or a teacher (call ``losses.cosent`` / ``losses.distill_*`` from your own loop).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import torch

from .. import progress
from ..cache import atomic_write_bytes
from ..encoder import Encoder, head_key
from ..pooling import pool
from . import losses as L
from .checkpoint import load_checkpoint, save_checkpoint
from .data import TrainPairs, batches
from .gradcache import grad_cache_backward
from .liveplot import LivePlot
from .mining import mix_negatives

PAIR_LOSSES = ("mnrl", "info_nce")


@dataclass
class TrainConfig:
    """Settings of one training run (every field has a default)."""

    steps: int = 100  # optimizer steps to take
    batch_size: int = 32  # pairs per micro-batch; each query sees batch_size - 1 in-batch negatives
    grad_accum: int = 1  # micro-batches per optimizer step
    chunk_size: int | None = None  # gradient caching: texts embedded at once (None: the whole batch)
    lr: float = 2e-5  # peak learning rate (AdamW)
    weight_decay: float = 0.01
    warmup: float = 0.1  # fraction of the steps with a linear warm-up; then linear decay to 0
    max_grad_norm: float | None = 1.0  # gradient clipping (None: off)
    loss: str = "mnrl"  # a pair loss: "mnrl" / "info_nce"
    temperature: float = 0.05
    symmetric: bool = False  # also make documents find their queries
    gamma: float = 0.0  # focal reweighting of hard samples
    matryoshka_dims: tuple[int, ...] | None = None  # truncation widths, e.g. (384, 256, 128, 64, 32)
    matryoshka_weights: tuple[float, ...] | None = None  # one loss weight per width (None: 1 each)
    matryoshka_layers: int | None = None  # 2D Matryoshka: also train the last this-many layers
    mix_negatives: int = 0  # synthetic negatives mixed from the hard negatives, per query
    max_length: int = 128  # tokens per text
    eval_every: int | None = None  # evaluate every this many steps (needs eval_set)
    patience: int | None = None  # stop after this many evaluations without improvement
    checkpoint_every: int | None = None  # save a checkpoint every this many steps (needs out_dir)
    max_seconds: float | None = None  # training-time budget (evaluation excluded); no step starts that would overrun it
    until: int | None = None  # end this session after this step (resume later); the schedule follows steps
    seed: int = 0

    def check(self, encoder: Encoder) -> None:
        """Raise ValueError naming the first bad setting."""
        for name in ("steps", "batch_size", "grad_accum", "max_length"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.batch_size < 2:
            raise ValueError("batch_size must be at least 2: a batch of one has no in-batch negative")
        if encoder.max_positions is not None and self.max_length > encoder.max_positions:
            raise ValueError(f"max_length={self.max_length} is beyond {encoder.name}'s position table "
                             f"({encoder.max_positions} tokens); use at most {encoder.max_positions}")
        for name in ("chunk_size", "eval_every", "patience", "checkpoint_every", "matryoshka_layers", "until"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be None or a positive int, got {value!r}")
        if self.loss not in PAIR_LOSSES:
            raise ValueError(f"the loop trains on (query, positive) pairs; loss must be one of {', '.join(PAIR_LOSSES)}"
                             f" (got {self.loss!r}; the other losses in LOSSES need scores or a teacher)")
        if not self.lr > 0 or not 0 <= self.warmup < 1:
            raise ValueError(f"lr must be > 0 and warmup in [0, 1), got lr={self.lr}, warmup={self.warmup}")
        if self.matryoshka_dims is not None:
            dims = [int(k) for k in self.matryoshka_dims]
            if any(k > encoder.dim or k < 1 for k in dims):
                raise ValueError(f"matryoshka dims must lie in 1..{encoder.dim} (the width of {encoder.name}), "
                                 f"got {dims}")
        if self.matryoshka_weights is not None:
            if self.matryoshka_dims is None:
                raise ValueError("matryoshka_weights needs matryoshka_dims (the widths they weight)")
            if len(self.matryoshka_weights) != len(self.matryoshka_dims):
                raise ValueError(f"{len(self.matryoshka_weights)} matryoshka_weights for {len(self.matryoshka_dims)} "
                                 "matryoshka widths; give one weight per width")
            if not all(float(w) >= 0 for w in self.matryoshka_weights) or not any(self.matryoshka_weights):
                raise ValueError(f"matryoshka_weights must be >= 0 and not all 0, got {self.matryoshka_weights}")
        if self.matryoshka_layers is not None and self.matryoshka_layers > encoder.n_layers:
            raise ValueError(f"matryoshka_layers={self.matryoshka_layers} exceeds the {encoder.n_layers} layers "
                             f"of {encoder.name}")


@dataclass
class TrainResult:
    """What :func:`train` returns."""

    encoder: Encoder  # the trained model (a new Encoder; its cache identity includes a weight hash)
    history: list[dict] = field(default_factory=list)  # per step: step, loss, lr, seconds
    evals: list[dict] = field(default_factory=list)  # per evaluation: step, ndcg@10, seconds
    steps: int = 0  # optimizer steps taken in all (resumed runs included)
    seconds: float = 0.0  # training time, evaluation excluded
    stopped: str = "steps"  # why training ended: "steps", "time", "early" or "until"
    best_step: int | None = None
    best_metric: float | None = None


def lr_at(step: int, cfg: TrainConfig) -> float:
    """The learning rate for optimizer step ``step`` (0-based): linear warm-up, then linear decay.

    Examples
    --------
    >>> cfg = TrainConfig(steps=10, lr=1.0, warmup=0.2)
    >>> [round(lr_at(s, cfg), 3) for s in (0, 1, 2, 9)]
    [0.5, 1.0, 1.0, 0.125]
    """
    warm = int(math.ceil(cfg.warmup * cfg.steps))
    if step < warm:
        return cfg.lr * (step + 1) / warm
    return cfg.lr * max(0.0, (cfg.steps - step) / max(1, cfg.steps - warm))


def embed(encoder: Encoder, texts: Sequence[str], *, max_length: int = 128,
          layers: Sequence[int] | None = None) -> torch.Tensor:
    """Pooled vectors of ``texts`` with gradients: ``(n, d)``, or ``(len(layers), n, d)``.

    Runs through :meth:`Encoder.hidden_states`, the forward pass ``encode`` uses
    (tokenization, decoder position ids, attention mask), with the encoder's own pooling
    and without normalisation (the losses normalise).

    Examples
    --------
    >>> import workbench as wb
    >>> enc = wb.load_encoder("minilm")
    >>> v = embed(enc, ["a cat"]).detach()
    >>> bool(torch.allclose(torch.nn.functional.normalize(v, dim=-1)[0],
    ...                     torch.from_numpy(enc.encode(["a cat"], cache=False)[0]), atol=1e-5))
    True
    """
    opts = encoder.resolve(max_length=max_length, normalize=False)
    all_layers = layers is not None or "first_last_avg" in opts.pooling
    hidden, mask = encoder.hidden_states(texts, opts, all_layers=all_layers, grad=True)
    if layers is None:
        return pool(hidden, mask, opts.pooling)
    return torch.stack([pool(hidden, mask, opts.pooling, layer=i) for i in layers])


def build_loss(cfg: TrainConfig, dim: int):
    """The loss the config describes, as ``f(q, d, hard_negatives=None)`` on ``dim``-wide vectors."""
    base = L.get_loss(cfg.loss)

    def pair_loss(q, d, hard_negatives=None):
        return base(q, d, hard_negatives=hard_negatives, temperature=cfg.temperature, symmetric=cfg.symmetric,
                    gamma=cfg.gamma)

    if cfg.matryoshka_layers is not None:
        return L.matryoshka_2d(pair_loss, cfg.matryoshka_dims or [dim], cfg.matryoshka_layers,
                               dim_weights=cfg.matryoshka_weights)
    if cfg.matryoshka_dims:
        return L.matryoshka(pair_loss, cfg.matryoshka_dims, cfg.matryoshka_weights)
    return pair_loss


def _evaluate(encoder: Encoder, eval_set, cfg: TrainConfig) -> float:
    from ..evaluate.retrieval import evaluate_retrieval  # noqa: PLC0415

    was_training = encoder.model.training
    encoder.model.eval()
    try:
        res = evaluate_retrieval(encoder, eval_set, n_resamples=0, cache=False, show_progress=False,
                                 max_length=cfg.max_length)
    finally:
        encoder.model.train(was_training)
    return float(res["ndcg@10"])


def _micro_batch(encoder, pairs: TrainPairs, idx: list[int], cfg: TrainConfig, loss_fn, layers, scale: float):
    """Forward and backward of one micro-batch; returns the loss value."""
    groups = [[pairs.queries[i] for i in idx], [pairs.positives[i] for i in idx]]
    m = pairs.n_negatives
    if m:
        groups.append([t for i in idx for t in pairs.negatives[i]])

    def loss_of(q, d, negs=None):
        hn = None
        if negs is not None:
            hn = negs.reshape(*negs.shape[:-2], len(idx), m, negs.shape[-1])
            if cfg.mix_negatives:
                flat = hn.reshape(-1, m, hn.shape[-1])
                hn = mix_negatives(flat, cfg.mix_negatives).reshape(*hn.shape[:-2], m + cfg.mix_negatives, -1)
        return loss_fn(q, d, hard_negatives=hn)

    def embed_fn(texts):
        return embed(encoder, texts, max_length=cfg.max_length, layers=layers)

    if cfg.chunk_size:
        return float(grad_cache_backward(embed_fn, groups, loss_of, chunk_size=cfg.chunk_size, scale=scale))
    loss = loss_of(*[embed_fn(g) for g in groups])
    (loss * scale).backward()
    return float(loss.detach())


def run_title(model: str, pairs: TrainPairs, cfg: TrainConfig) -> str:
    """What sets a run apart, as the title of its live plot.

    Examples
    --------
    >>> pairs = TrainPairs("toy", ["q"], ["d"])
    >>> run_title("minilm", pairs, TrainConfig(steps=20, matryoshka_dims=(384, 64)))
    'minilm on toy: mnrl, matryoshka 384/64, 20 steps, lr 2e-05'
    """
    parts = [cfg.loss]
    negatives = getattr(pairs, "negatives", None)
    if negatives:
        parts.append(f"{len(negatives[0])} hard negative(s)")
    if cfg.matryoshka_dims:
        parts.append("matryoshka " + "/".join(map(str, cfg.matryoshka_dims)))
    if cfg.matryoshka_layers:
        parts.append(f"+ last {cfg.matryoshka_layers} layers")
    parts += [f"{cfg.steps} steps", f"lr {cfg.lr:g}"]
    return f"{model} on {getattr(pairs, 'name', 'pairs')}: " + ", ".join(parts)


def train(encoder: Encoder, pairs: TrainPairs, config: TrainConfig | None = None, *, eval_set=None,
          out_dir: str | Path | None = None, resume: bool = False, restore_best: bool = True,
          show_progress: bool | None = None, plot: bool | None = None, name: str | None = None,
          **overrides) -> TrainResult:
    """Fine-tune a copy of ``encoder`` on ``pairs``.

    Parameters
    ----------
    encoder : Encoder
        A transformer encoder (from ``workbench.load_encoder``); it is not modified.
    pairs : TrainPairs
        Training pairs, optionally with hard negatives (``mining.mine_hard_negatives``).
    config : TrainConfig, optional
        Settings; keyword ``overrides`` replace single fields (``train(enc, pairs, steps=50)``).
    eval_set : RetrievalDataset, optional
        Held-out set scored every ``eval_every`` steps (and before the first step).
    out_dir : str or Path, optional
        Where checkpoints go (``out_dir/checkpoint``) and the best weights (``out_dir/best.safetensors``).
    resume : bool, default False
        Continue from ``out_dir/checkpoint`` if it exists.
    restore_best : bool, default True
        With evaluations, end with the weights of the best evaluation.
    show_progress : bool, optional
        A progress bar (default: in terminals and notebooks).
    plot : bool, optional
        A live loss plot (default: in notebooks).
    name : str, optional
        The run's name, the live plot's title (default: :func:`run_title` of the run).

    Returns
    -------
    TrainResult

    Examples
    --------
    >>> import workbench as wb
    >>> pairs = TrainPairs("toy", ["a cat", "a car", "a tree", "a cup"], ["kitten", "vehicle", "oak", "mug"])
    >>> res = train(wb.load_encoder("minilm"), pairs, steps=2, batch_size=4, show_progress=False)
    >>> res.steps, len(res.history), res.stopped
    (2, 2, 'steps')
    """
    if "matryoshka" in overrides:  # the name before matryoshka_dims; kept for one release
        warnings.warn("train(matryoshka=...) is now train(matryoshka_dims=...)", DeprecationWarning, stacklevel=2)
        overrides["matryoshka_dims"] = overrides.pop("matryoshka")
    cfg = dataclasses.replace(config or TrainConfig(), **overrides)
    if not isinstance(encoder, Encoder) or encoder.model is None:
        raise TypeError("encoder must be a transformer Encoder from workbench.load_encoder "
                        "(static models do not train)")
    if not isinstance(pairs, TrainPairs):
        raise TypeError(f"pairs must be a TrainPairs (see workbench.train.training_split), got {type(pairs).__name__}")
    if len(pairs) == 0:
        raise ValueError(f"{pairs.name}: the training set is empty")
    cfg.check(encoder)
    if len(pairs) < 2:
        raise ValueError(f"{pairs.name} holds a single pair: in-batch negatives need at least 2")
    if cfg.eval_every and eval_set is None:
        raise ValueError("eval_every is set but no eval_set was given")
    if (cfg.checkpoint_every or resume) and out_dir is None:
        raise ValueError("checkpoints and resume need out_dir")
    if cfg.mix_negatives and pairs.n_negatives < 2:
        raise ValueError("mix_negatives needs at least 2 mined hard negatives per pair")
    out = Path(out_dir) if out_dir is not None else None
    model = copy.deepcopy(encoder.model)
    trained = Encoder(model, encoder.tokenizer, name=f"{encoder.name}-tuned", identity=encoder.identity,
                      pooling=encoder.pooling, max_length=cfg.max_length, is_decoder=encoder.is_decoder)
    layers = None
    if cfg.matryoshka_layers is not None:
        layers = list(range(encoder.n_layers - cfg.matryoshka_layers + 1, encoder.n_layers + 1))
    loss_fn = build_loss(cfg, encoder.dim)
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr)
    state = {"step": 0, "epoch": 0, "position": 0, "seconds": 0.0, "history": [], "evals": [],
             "best_step": None, "best_metric": None, "bad_evals": 0, "config": dataclasses.asdict(cfg)}
    torch.manual_seed(cfg.seed)
    if resume and out is not None and (out / "checkpoint").is_dir():
        state = load_checkpoint(out / "checkpoint", model, opt)
        if "matryoshka" in state["config"]:  # checkpoints written before the field was named matryoshka_dims
            state["config"]["matryoshka_dims"] = state["config"].pop("matryoshka")
        for key in ("steps", "lr", "seed", "batch_size", "grad_accum", "loss", "matryoshka_dims", "matryoshka_weights",
                    "matryoshka_layers"):
            if json.dumps(state["config"].get(key)) != json.dumps(dataclasses.asdict(cfg)[key]):
                raise ValueError(f"cannot resume: the checkpoint was trained with {key}={state['config'].get(key)!r}, "
                                 f"this run asks for {getattr(cfg, key)!r}")
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    live = LivePlot(plot, title=name or run_title(encoder.name, pairs, cfg))
    stopped = "steps"
    epoch_batches = list(batches(pairs, cfg.batch_size, seed=cfg.seed, epoch=state["epoch"]))
    try:
        if eval_set is not None and cfg.eval_every and not state["evals"]:
            _record_eval(trained, eval_set, cfg, state, out, model)
        model.train()
        with progress.bar(cfg.steps, f"training {encoder.name}", show_progress) as bar:
            bar.update(state["step"])
            while state["step"] < cfg.steps:
                # stop when the next step, as long as the last one, would overrun the time budget
                last = state["history"][-1]["seconds"] - (state["history"][-2]["seconds"] if len(
                    state["history"]) > 1 else 0.0) if state["history"] else 0.0
                if cfg.max_seconds is not None and state["seconds"] + last > cfg.max_seconds:
                    stopped = "time"
                    break
                if cfg.until is not None and state["step"] >= cfg.until:
                    stopped = "until"
                    break
                start = time.perf_counter()
                for g in opt.param_groups:
                    g["lr"] = lr_at(state["step"], cfg)
                total = 0.0
                for _ in range(cfg.grad_accum):
                    if state["position"] >= len(epoch_batches):
                        state["epoch"], state["position"] = state["epoch"] + 1, 0
                        epoch_batches = list(batches(pairs, cfg.batch_size, seed=cfg.seed, epoch=state["epoch"]))
                    idx = epoch_batches[state["position"]]
                    state["position"] += 1
                    total += _micro_batch(trained, pairs, idx, cfg, loss_fn, layers, 1.0 / cfg.grad_accum)
                if cfg.max_grad_norm:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
                opt.step()
                opt.zero_grad(set_to_none=True)
                state["seconds"] += time.perf_counter() - start
                state["step"] += 1
                state["history"].append({"step": state["step"], "loss": total / cfg.grad_accum,
                                         "lr": opt.param_groups[0]["lr"], "seconds": state["seconds"]})
                bar.update(1)
                bar.set_postfix(loss=f"{total / cfg.grad_accum:.4f}")
                if eval_set is not None and cfg.eval_every and state["step"] % cfg.eval_every == 0:
                    _record_eval(trained, eval_set, cfg, state, out, model)
                    model.train()
                live.update(state["history"], state["evals"])
                if cfg.checkpoint_every and state["step"] % cfg.checkpoint_every == 0:
                    save_checkpoint(out / "checkpoint", model, opt, state)
                if cfg.patience and state["bad_evals"] >= cfg.patience:
                    stopped = "early"
                    break
        if out is not None and (cfg.checkpoint_every or resume):
            save_checkpoint(out / "checkpoint", model, opt, state)
    finally:
        torch.use_deterministic_algorithms(deterministic)
        model.eval()
    live.update(state["history"], state["evals"], force=True)
    if restore_best and state["best_step"] is not None and state["best_step"] != state["step"]:
        model.load_state_dict(state.pop("_best_weights", None) or _load_best(out), strict=True)
    trained.identity = f"{encoder.identity}|weights:{head_key(model)}"
    return TrainResult(trained, state["history"], state["evals"], state["step"], state["seconds"], stopped,
                       state["best_step"], state["best_metric"])


def _record_eval(trained: Encoder, eval_set, cfg: TrainConfig, state: dict, out: Path | None, model) -> None:
    start = time.perf_counter()
    value = _evaluate(trained, eval_set, cfg)
    state["evals"].append({"step": state["step"], "ndcg@10": value, "seconds": time.perf_counter() - start})
    if state["best_metric"] is None or value > state["best_metric"]:
        state["best_metric"], state["best_step"], state["bad_evals"] = value, state["step"], 0
        weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if out is not None:
            from safetensors.torch import save  # noqa: PLC0415

            atomic_write_bytes(out / "best.safetensors", save(weights))
        state["_best_weights"] = weights
    else:
        state["bad_evals"] += 1


def _load_best(out: Path | None) -> dict:
    from safetensors.torch import load_file  # noqa: PLC0415

    if out is None or not (out / "best.safetensors").is_file():
        raise FileNotFoundError("the best weights were not kept; pass out_dir to keep them across a resume")
    return load_file(str(out / "best.safetensors"))
