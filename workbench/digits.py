"""Self-supervised embeddings of small images: scikit-learn's 8x8 digits and a contrastive encoder.

The conditioning signal of :mod:`workbench.diffusion`: an MLP encoder trained here with
a SimCLR-style loss (two augmented views of each image are positives, the rest of the
batch negatives; augmentations are one-pixel shifts, pixel noise and dropped pixels).
Labels are never seen by the encoder. Also here: the fixed classifier used to score
generated images, and the Fréchet distance between two sets of embeddings.

Left out: convolutional encoders and larger images; the encoder has two hidden layers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .progress import bar

__all__ = ["ContrastiveEncoder", "augment", "frechet_distance", "load_digits_scaled", "train_contrastive"]


def load_digits_scaled(seed: int = 0, test_size: float = 0.3):
    """The 1,797 digits as float32 images in [-1, 1], split into train and test (stratified).

    >>> Xtr, ytr, Xte, yte = load_digits_scaled()
    >>> Xtr.shape[1:], float(Xtr.min()), float(Xtr.max())
    ((8, 8), -1.0, 1.0)
    """
    from sklearn.datasets import load_digits  # noqa: PLC0415
    from sklearn.model_selection import train_test_split  # noqa: PLC0415

    d = load_digits()
    X = (d.images / 8.0 - 1.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, d.target, test_size=test_size, random_state=seed, stratify=d.target)
    return Xtr, ytr, Xte, yte


def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Random one-pixel shifts (filled with background), Gaussian noise and 10% dropped pixels; x: (n, 8, 8)."""
    n = x.shape[0]
    padded = torch.nn.functional.pad(x, (1, 1, 1, 1), value=-1.0)
    dy = torch.randint(0, 3, (n,), generator=g)
    dx = torch.randint(0, 3, (n,), generator=g)
    rows = (torch.arange(8)[None, :] + dy[:, None])[:, :, None]
    cols = (torch.arange(8)[None, :] + dx[:, None])[:, None, :]
    out = padded[torch.arange(n)[:, None, None], rows, cols]
    out = out + 0.1 * torch.randn(out.shape, generator=g)
    drop = torch.rand(out.shape, generator=g) < 0.1
    return torch.where(drop, torch.full_like(out, -1.0), out).clamp(-1, 1)


class ContrastiveEncoder(nn.Module):
    """MLP 64 -> 256 -> 256 -> ``dim``; :meth:`embed` gives unit-length embeddings."""

    def __init__(self, dim: int = 16):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.GELU(), nn.Linear(256, 256), nn.GELU(),
                                 nn.Linear(256, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(self.net(x), dim=-1)

    @torch.no_grad()
    def embed(self, x) -> np.ndarray:
        return self(torch.as_tensor(np.asarray(x, np.float32))).numpy()


@dataclass(frozen=True)
class ContrastiveConfig:
    dim: int = 16              # embedding width
    steps: int = 300           # Adam steps
    batch_size: int = 256      # images per step (2 views each)
    temperature: float = 0.2   # softmax temperature of the InfoNCE loss
    lr: float = 1e-3


def train_contrastive(X: np.ndarray, cfg: ContrastiveConfig | None = None, *, seed: int = 0,
                      show_progress: bool | None = None) -> tuple[ContrastiveEncoder, list[float]]:
    """Train the encoder on unlabelled images ``X`` (n, 8, 8); returns it and the loss per step."""
    cfg = cfg or ContrastiveConfig()
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    enc = ContrastiveEncoder(cfg.dim)
    opt = torch.optim.Adam(enc.parameters(), lr=cfg.lr)
    data = torch.as_tensor(np.asarray(X, np.float32))
    losses = []
    progress = bar(cfg.steps, "contrastive encoder", show_progress)
    for _ in range(cfg.steps):
        x = data[torch.randint(len(data), (min(cfg.batch_size, len(data)),), generator=g)]
        z = torch.cat([enc(augment(x, g)), enc(augment(x, g))])
        n = x.shape[0]
        sim = z @ z.T / cfg.temperature
        sim.fill_diagonal_(-1e9)
        target = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])
        loss = nn.functional.cross_entropy(sim, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        progress.update(1)
    progress.close()
    enc.eval()
    return enc, losses


def frechet_distance(A: np.ndarray, B: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two sets of rows (as in FID, any feature space).

    >>> rng = np.random.default_rng(0); A = rng.normal(size=(500, 3))
    >>> round(frechet_distance(A, A), 6), frechet_distance(A, A + 2) > 11
    (0.0, True)
    """
    from scipy.linalg import sqrtm  # noqa: PLC0415

    mu_a, mu_b = A.mean(0), B.mean(0)
    ca, cb = np.cov(A, rowvar=False), np.cov(B, rowvar=False)
    root = sqrtm(ca @ cb)
    root = root.real if np.iscomplexobj(root) else root
    return float(max(((mu_a - mu_b) ** 2).sum() + np.trace(ca + cb - 2 * root), 0.0))
