"""A small denoising diffusion model (DDPM) whose label is an embedding.

After Graikos et al. (2023), who condition a diffusion model on self-supervised
embeddings of image patches instead of class labels and tile patches into large images:
here an MLP denoiser on 8x8 digits is conditioned on (:data:`CONDITIONS`)

- ``embedding``: the contrastive embedding of a real image (:mod:`workbench.digits`);
- ``label``: a one-hot class label (needs at least two classes);
- ``none``: nothing (unconditional).

The noise schedule is the linear one of Ho et al. (2020): ``q(x_t | x_0) = N(sqrt(abar_t)
x_0, (1 - abar_t) I)`` with ``abar_t = prod_{s<=t} (1 - beta_s)``. Sampling is ancestral
with a seeded generator, so a conditioned sampler is reproducible. :func:`mosaic` builds
an image larger than the model's from a grid of embeddings, either as plain tiles or
with overlapping patches whose predictions are averaged at every step.

Left out: U-Nets, classifier-free guidance, latent diffusion and images larger than toys.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .progress import bar

__all__ = ["CONDITIONS", "Denoiser", "DiffusionConfig", "Schedule", "condition_vectors", "mosaic", "sample",
           "seam_ratio", "train_diffusion"]

#: conditioning kinds
CONDITIONS: tuple[str, ...] = ("embedding", "label", "none")


@dataclass(frozen=True)
class Schedule:
    """Linear beta schedule over ``steps`` steps; ``abar[t]`` is the product of (1 - beta) up to t."""

    steps: int = 100
    beta_start: float = 1e-4
    beta_end: float = 0.05

    @property
    def betas(self) -> torch.Tensor:
        return torch.linspace(self.beta_start, self.beta_end, self.steps, dtype=torch.float64)

    @property
    def abar(self) -> torch.Tensor:
        return torch.cumprod(1 - self.betas, 0)

    def q_sample(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """x_t given x_0: ``sqrt(abar_t) x_0 + sqrt(1 - abar_t) noise``."""
        a = self.abar.float()[t].view(-1, *([1] * (x0.dim() - 1)))
        return a.sqrt() * x0 + (1 - a).sqrt() * noise


@dataclass(frozen=True)
class DiffusionConfig:
    hidden: int = 256        # width of the denoiser MLP
    steps: int = 1500        # Adam steps
    batch_size: int = 128    # images per step
    lr: float = 1e-3
    schedule: Schedule = Schedule()

    @classmethod
    def smoke(cls) -> "DiffusionConfig":
        return cls(hidden=64, steps=30, batch_size=32, schedule=Schedule(steps=20))


def _time_features(t: torch.Tensor, steps: int, dim: int = 32) -> torch.Tensor:
    freqs = torch.exp(torch.arange(dim // 2) * (-math.log(1000.0) / (dim // 2)))
    ang = (t.float() / steps * 1000.0)[:, None] * freqs[None]
    return torch.cat([ang.sin(), ang.cos()], 1)


class Denoiser(nn.Module):
    """MLP predicting the noise from (x_t, time features, condition vector)."""

    def __init__(self, cond_dim: int, hidden: int = 256, steps: int = 100):
        super().__init__()
        self.cond_dim, self.steps = cond_dim, steps
        self.net = nn.Sequential(nn.Linear(64 + 32 + max(cond_dim, 1), hidden), nn.SiLU(), nn.Linear(hidden, hidden),
                                 nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, 64))

    def forward(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        if self.cond_dim == 0:
            c = torch.zeros(x.shape[0], 1)
        h = torch.cat([x.reshape(x.shape[0], -1), _time_features(t, self.steps), c], 1)
        return self.net(h).view(x.shape)


def condition_vectors(kind: str, *, embeddings: np.ndarray | None = None, labels: np.ndarray | None = None,
                      n_classes: int | None = None) -> np.ndarray:
    """The condition matrix of a kind; a label condition on a one-class set is an error.

    >>> condition_vectors("label", labels=np.array([0, 2, 1])).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    >>> condition_vectors("label", labels=np.array([3, 3]))
    Traceback (most recent call last):
    ...
    ValueError: a label-conditioned model needs at least two classes; the image set has one (3)
    """
    if kind not in CONDITIONS:
        raise ValueError(f"unknown condition {kind!r}; choose from: {', '.join(CONDITIONS)}")
    if kind == "embedding":
        if embeddings is None:
            raise ValueError("an embedding-conditioned model needs embeddings")
        return np.asarray(embeddings, np.float32)
    if kind == "label":
        if labels is None:
            raise ValueError("a label-conditioned model needs labels")
        classes = np.unique(labels)
        if len(classes) < 2 and n_classes is None:
            raise ValueError(f"a label-conditioned model needs at least two classes; the image set has one "
                             f"({classes[0] if len(classes) else 'none'})")
        k = n_classes or int(classes.max()) + 1
        return np.eye(k, dtype=np.float32)[np.asarray(labels)]
    n = len(embeddings if embeddings is not None else labels)
    return np.zeros((n, 0), np.float32)


def train_diffusion(X: np.ndarray, C: np.ndarray, cfg: DiffusionConfig | None = None, *, seed: int = 0,
                    show_progress: bool | None = None) -> tuple[Denoiser, list[float]]:
    """Train a denoiser on images ``X`` (n, 8, 8) with conditions ``C`` (n, k; k = 0 for none)."""
    cfg = cfg or DiffusionConfig()
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = Denoiser(C.shape[1], cfg.hidden, cfg.schedule.steps)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    Xt, Ct = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(C, dtype=torch.float32)
    losses = []
    progress = bar(cfg.steps, "diffusion", show_progress)
    for _ in range(cfg.steps):
        i = torch.randint(len(Xt), (cfg.batch_size,), generator=g)
        t = torch.randint(cfg.schedule.steps, (cfg.batch_size,), generator=g)
        noise = torch.randn(Xt[i].shape, generator=g)
        loss = nn.functional.mse_loss(model(cfg.schedule.q_sample(Xt[i], t, noise), t, Ct[i]), noise)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        progress.update(1)
    progress.close()
    model.eval()
    return model, losses


def _step(model: Denoiser, sched: Schedule, x: torch.Tensor, t: int, c: torch.Tensor) -> torch.Tensor:
    """The posterior mean of x_{t-1} (without the added noise)."""
    b, a = float(sched.betas[t]), float(sched.abar[t])
    eps = model(x, torch.full((x.shape[0],), t), c)
    return (x - b / math.sqrt(1 - a) * eps) / math.sqrt(1 - b)


def _sigma(sched: Schedule, t: int) -> float:
    if t == 0:
        return 0.0
    b, a, a_prev = float(sched.betas[t]), float(sched.abar[t]), float(sched.abar[t - 1])
    return math.sqrt(b * (1 - a_prev) / (1 - a))


@torch.no_grad()
def sample(model: Denoiser, C: np.ndarray, sched: Schedule, *, seed: int = 0) -> np.ndarray:
    """Ancestral DDPM samples, one per row of ``C``; the same seed gives the same images.

    >>> m = Denoiser(2, hidden=8, steps=5)
    >>> C = np.eye(2, dtype=np.float32)
    >>> bool(np.array_equal(sample(m, C, Schedule(5), seed=3), sample(m, C, Schedule(5), seed=3)))
    True
    """
    g = torch.Generator().manual_seed(seed)
    c = torch.as_tensor(C, dtype=torch.float32)
    x = torch.randn((len(c), 8, 8), generator=g)
    for t in reversed(range(sched.steps)):
        x = _step(model, sched, x, t, c) + _sigma(sched, t) * torch.randn(x.shape, generator=g)
    return x.clamp(-1, 1).numpy()


@torch.no_grad()
def mosaic(model: Denoiser, grid: np.ndarray, sched: Schedule, *, stride: int = 8, seed: int = 0) -> np.ndarray:
    """An image from a grid of condition vectors (rows, cols, k), one 8x8 patch per grid cell at ``stride``.

    With ``stride=8`` the patches tile the canvas; with a smaller stride they overlap and,
    at every step, each pixel takes the average of the predictions of the patches that
    cover it before the noise is added once for the whole canvas.
    """
    rows, cols, _ = grid.shape
    H, W = 8 + stride * (rows - 1), 8 + stride * (cols - 1)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((H, W), generator=g)
    c = torch.as_tensor(grid.reshape(rows * cols, -1), dtype=torch.float32)
    cover = torch.zeros(H, W)
    for i in range(rows):
        for j in range(cols):
            cover[i * stride: i * stride + 8, j * stride: j * stride + 8] += 1
    for t in reversed(range(sched.steps)):
        patches = torch.stack([x[i * stride: i * stride + 8, j * stride: j * stride + 8]
                               for i in range(rows) for j in range(cols)])
        pred = _step(model, sched, patches, t, c)
        acc = torch.zeros(H, W)
        for k, (i, j) in enumerate((i, j) for i in range(rows) for j in range(cols)):
            acc[i * stride: i * stride + 8, j * stride: j * stride + 8] += pred[k]
        x = acc / cover + _sigma(sched, t) * torch.randn((H, W), generator=g)
    return x.clamp(-1, 1).numpy()


def seam_ratio(image: np.ndarray, period: int = 8) -> float:
    """Mean absolute step across tile boundaries (every ``period`` pixels) over the mean step elsewhere.

    1 means a boundary looks like any other pixel pair; plain tiles of unrelated content
    score higher.

    >>> img = np.kron(np.array([[0., 1.], [1., 0.]]), np.ones((8, 8)))
    >>> seam_ratio(img + 0.01 * np.arange(16)) > 10
    True
    """
    dx = np.abs(np.diff(image, axis=1))
    dy = np.abs(np.diff(image, axis=0))
    at = np.arange(image.shape[1] - 1) % period == period - 1
    ay = np.arange(image.shape[0] - 1) % period == period - 1
    seam = np.concatenate([dx[:, at].ravel(), dy[ay, :].ravel()])
    inner = np.concatenate([dx[:, ~at].ravel(), dy[~ay, :].ravel()])
    return float(seam.mean() / max(inner.mean(), 1e-12))
