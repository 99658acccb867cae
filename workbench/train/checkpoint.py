"""Training checkpoints in safetensors: weights, optimizer state, random state, progress.

A checkpoint is a folder holding ``model.safetensors`` (the model's state dict),
``optimizer.safetensors`` (every tensor of the optimizer's state plus torch's random
state) and ``trainer_state.json`` (step, data position, history, the optimizer's
hyper-parameters). Folders are written under a temporary name and renamed into place,
so an interrupted save never leaves a half-written checkpoint behind. No pickle is read
or written. Left out: sharded checkpoints and keeping the last N checkpoints.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

MODEL, OPTIMIZER, STATE = "model.safetensors", "optimizer.safetensors", "trainer_state.json"


def save_checkpoint(folder: str | Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                    state: dict) -> Path:
    """Write a checkpoint folder atomically (replacing an older one); returns its path.

    Examples
    --------
    >>> import tempfile
    >>> lin = torch.nn.Linear(2, 2); opt = torch.optim.AdamW(lin.parameters())
    >>> lin(torch.ones(1, 2)).sum().backward(); opt.step()
    >>> path = save_checkpoint(Path(tempfile.mkdtemp()) / "ckpt", lin, opt, {"step": 1})
    >>> lin2 = torch.nn.Linear(2, 2); opt2 = torch.optim.AdamW(lin2.parameters())
    >>> load_checkpoint(path, lin2, opt2)["step"], bool(torch.equal(lin.weight, lin2.weight))
    (1, True)
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        weights = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
        save_file(weights, str(tmp / MODEL), metadata={"format": "pt"})
        opt = optimizer.state_dict()
        tensors = {"rng.torch": torch.get_rng_state()}
        scalars: dict = {}
        for idx, entry in opt["state"].items():
            for name, value in entry.items():
                if isinstance(value, torch.Tensor):
                    tensors[f"state.{idx}.{name}"] = value.detach().contiguous().clone()
                else:
                    scalars[f"{idx}.{name}"] = value
        save_file(tensors, str(tmp / OPTIMIZER))
        meta = {k: v for k, v in state.items() if not k.startswith("_")}  # "_" keys live in memory only
        meta["optimizer"] = {"param_groups": opt["param_groups"], "scalars": scalars}
        (tmp / STATE).write_text(json.dumps(meta, indent=1, default=float))
        old = folder.with_name(folder.name + ".old")
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def load_checkpoint(folder: str | Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None = None,
                    *, restore_rng: bool = True) -> dict:
    """Load a checkpoint into ``model`` (and ``optimizer``); returns the saved trainer state."""
    folder = Path(folder)
    missing = [f for f in (MODEL, OPTIMIZER, STATE) if not (folder / f).is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} is not a complete checkpoint: missing {', '.join(missing)}")
    model.load_state_dict(load_file(str(folder / MODEL)), strict=True)
    state = json.loads((folder / STATE).read_text())
    tensors = load_file(str(folder / OPTIMIZER))
    if optimizer is not None:
        saved = state["optimizer"]
        entries: dict[int, dict] = {}
        for key, value in tensors.items():
            if key.startswith("state."):
                _, idx, name = key.split(".", 2)
                entries.setdefault(int(idx), {})[name] = value
        for key, value in saved["scalars"].items():
            idx, name = key.split(".", 1)
            entries.setdefault(int(idx), {})[name] = value
        optimizer.load_state_dict({"state": entries, "param_groups": saved["param_groups"]})
    if restore_rng:
        torch.set_rng_state(tensors["rng.torch"])
    return {k: v for k, v in state.items() if k != "optimizer"}
