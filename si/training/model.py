"""A trained model: the learned fields of one objective and the (b, s) assembled from them
(docs/theory.md §2, §3), with checkpoints written atomically as a state dict plus a JSON spec and
read back with torch.load(weights_only=True). Fields of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.

The JSON sidecar (the checkpoint's path with suffix .json) holds the spec and the sha256 of the
checkpoint file; `load_model` verifies it before reading, so a truncated or corrupted file (or a
sidecar that does not belong to it) raises CheckpointError naming the file instead of loading
garbage weights.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable, List, Optional

import torch
from torch import nn

from ..fileio import atomic_write
from ..interpolants import Interpolant
from ..nets import FieldMLP
from ..objectives import assemble, fields_of
from .config import TrainConfig

Tensor = torch.Tensor
CHECKPOINT_FORMAT = 1

__all__ = ["TrainedModel", "build_nets", "load_model", "verify_checkpoint", "CHECKPOINT_FORMAT", "CheckpointError",
           "sidecar_of", "file_sha256"]


class CheckpointError(ValueError):
    """A checkpoint that cannot be trusted: missing, truncated, corrupted, or not matching its sidecar.
    `path` is the checkpoint file, `problem` what is wrong with it."""

    def __init__(self, path, problem: str):
        super().__init__(f"checkpoint {path}: {problem}")
        self.path, self.problem = Path(path), problem


def sidecar_of(path) -> Path:
    """The JSON sidecar of a checkpoint: its spec and sha256."""
    return Path(path).with_suffix(".json")


def file_sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class TrainedModel:
    """Learned fields of one objective, with the (b, s) assembled for sampling (docs/theory.md §2)."""

    def __init__(self, interpolant: Interpolant, objective: str, nets: nn.ModuleDict, spec: dict,
                 losses: Optional[List[dict]] = None):
        self.interpolant, self.objective, self.nets, self.spec = interpolant, objective, nets, spec
        self.losses = losses if losses is not None else spec.get("losses", [])
        self.b, self.s = assemble(objective, {k: self._field(k) for k in nets}, interpolant)

    def _field(self, kind: str) -> Callable[[Tensor, Tensor], Tensor]:
        net = self.nets[kind]

        def f(t: Tensor, x: Tensor) -> Tensor:
            return net(t.to(x.dtype), x)
        return f

    def field(self, kind: str) -> Optional[Callable[[Tensor, Tensor], Tensor]]:
        """The learned field `kind` ("b", "v", "s" or "eta"), or None if this objective does not learn it."""
        return self._field(kind) if kind in self.nets else None

    @property
    def dim(self) -> int:
        return int(self.spec["dim"])

    def to(self, device=None, dtype=None) -> "TrainedModel":
        self.nets.to(device=device, dtype=dtype)
        return self

    def save(self, path) -> None:
        path = Path(path)
        payload = {"format": CHECKPOINT_FORMAT, "spec_json": json.dumps(self.spec),
                   "state_dict": {k: v.detach().cpu() for k, v in self.nets.state_dict().items()}}
        digest = {}

        def write(tmp):
            torch.save(payload, tmp)
            digest["sha256"] = file_sha256(tmp)
        atomic_write(path, write)
        side = {**self.spec, "sha256": digest["sha256"]}
        atomic_write(sidecar_of(path), lambda p: Path(p).write_text(json.dumps(side, indent=1)))


def build_nets(kinds, dim: int, config: TrainConfig) -> nn.ModuleDict:
    """One FieldMLP per learned field kind, sized by the config."""
    return nn.ModuleDict({k: FieldMLP(dim, config.hidden, config.depth) for k in kinds})


def verify_checkpoint(path) -> None:
    """Raise CheckpointError unless the file at `path` has the sha256 recorded in its sidecar."""
    path, side = Path(path), sidecar_of(path)
    if not path.is_file():
        raise CheckpointError(path, "no such file")
    try:
        expected = json.loads(side.read_text()).get("sha256")
    except (OSError, ValueError) as e:
        raise CheckpointError(path, f"its sidecar {side} cannot be read ({e})") from None
    if not expected:
        raise CheckpointError(path, f"its sidecar {side} has no sha256 (written before checksums, or not by "
                                    f"si.training): retrain it")
    actual = file_sha256(path)
    if actual != expected:
        raise CheckpointError(path, f"sha256 {actual[:16]}... does not match {expected[:16]}... in {side}: the file "
                                    f"is truncated or corrupted ({path.stat().st_size} bytes); delete it and retrain")


def load_model(path, device=None) -> TrainedModel:
    """Read a checkpoint written by `TrainedModel.save` (weights_only=True: nothing is unpickled),
    after verifying its sha256 against the sidecar (CheckpointError naming the file otherwise)."""
    verify_checkpoint(path)
    try:
        payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    except Exception as e:  # a valid hash but unreadable: written by something else
        raise CheckpointError(path, f"cannot be read ({type(e).__name__}: {e})") from None
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(path, f"not an si checkpoint of format {CHECKPOINT_FORMAT}")
    spec = json.loads(payload["spec_json"])
    interp = Interpolant(**spec["interpolant"])
    config = TrainConfig.from_dict(spec["config"])
    nets = build_nets(fields_of(spec["objective"]), spec["dim"], config)
    nets.load_state_dict(payload["state_dict"])
    nets.to(device=device, dtype=getattr(torch, config.dtype))
    nets.eval()
    return TrainedModel(interp, spec["objective"], nets, spec)
