"""A trained model: the learned fields of one objective and the (b, s) assembled from them
(docs/theory.md §2, §3), with checkpoints written atomically as a state dict plus a JSON spec and
read back with torch.load(weights_only=True). Fields of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

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

__all__ = ["TrainedModel", "build_nets", "load_model", "CHECKPOINT_FORMAT"]


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
        atomic_write(path, lambda p: torch.save(payload, p))
        atomic_write(path.with_suffix(".json"), lambda p: Path(p).write_text(json.dumps(self.spec, indent=1)))


def build_nets(kinds, dim: int, config: TrainConfig) -> nn.ModuleDict:
    """One FieldMLP per learned field kind, sized by the config."""
    return nn.ModuleDict({k: FieldMLP(dim, config.hidden, config.depth) for k in kinds})


def load_model(path, device=None) -> TrainedModel:
    """Read a checkpoint written by `TrainedModel.save` (weights_only=True: nothing is unpickled)."""
    payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not an si checkpoint of format {CHECKPOINT_FORMAT}")
    spec = json.loads(payload["spec_json"])
    interp = Interpolant(**spec["interpolant"])
    config = TrainConfig.from_dict(spec["config"])
    nets = build_nets(fields_of(spec["objective"]), spec["dim"], config)
    nets.load_state_dict(payload["state_dict"])
    nets.to(device=device, dtype=getattr(torch, config.dtype))
    nets.eval()
    return TrainedModel(interp, spec["objective"], nets, spec)
