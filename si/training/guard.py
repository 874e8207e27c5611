"""What stops a training run that has failed (docs/theory.md §3): a non-finite loss, or a loss that
has run away to huge finite values. Training the fields of Albergo, Boffi & Vanden-Eijnden,
arXiv:2303.08797, by the quadratic objectives of si.objectives.

The per-step losses stay on the device (one stacked tensor per step, no host synchronisation); every
`check_every` steps and at the last step they are read once and checked:

- finite: every loss of the window is finite, else TrainingDiverged naming the first bad step;
- runaway: each objective is 1/2 E|f^ - f|^2 minus a constant, so it only rises when the fit gets
  worse than it was. The run has run away when the mean loss of a window exceeds the loss at the
  initial weights (step 1), L_1, by more than RUNAWAY_FACTOR times the loss scale, the larger of
  |L_1| and the depth of the lowest window mean so far (-min(0, lowest mean)):
  mean(window) > L_1 + RUNAWAY_FACTOR * scale. Measured on the benchmark pairs (docs/performance.md):
  healthy runs stay below L_1 + 72 |L_1| (lr 0.1, first window, recovering) and mostly fall far
  below L_1; runs that diverge climb by many orders of magnitude within a few steps (lr = 1: about
  2e9, lr = 10: about 2e17, against |L_1| of 0.005 to 0.1).

The checked losses are also what the trainer records and logs (`rows`).
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple

import torch

Tensor = torch.Tensor

__all__ = ["TrainingDiverged", "LossGuard", "RUNAWAY_FACTOR"]

RUNAWAY_FACTOR = 1e4


class TrainingDiverged(FloatingPointError):
    """A training run that failed: non-finite loss or runaway. `criterion` ("non-finite" or "runaway")
    and `steps` (first, last) of the window where it was found."""

    def __init__(self, message: str, criterion: str, steps: Tuple[int, int]):
        super().__init__(message)
        self.criterion, self.steps = criterion, steps


class LossGuard:
    """Collects the per-field losses of every step and checks them every `every` steps (module doc)."""

    def __init__(self, kinds: Sequence[str], every: int, total: int, context: str = ""):
        self.kinds, self.every, self.total, self.context = tuple(kinds), int(every), int(total), context
        self.window: List[Tensor] = []
        self.first = 1                         # step of window[0]
        self.initial: Optional[float] = None   # L_1, the loss at the initial weights
        self.lowest = math.inf                 # the lowest window mean so far

    def add(self, total: Tensor, losses: Sequence[Tensor]) -> None:
        """The total loss of one step and its per-field losses (0-d tensors, in `kinds` order)."""
        with torch.no_grad():
            self.window.append(torch.stack([total, *losses]) if len(losses) > 1 else total.detach().reshape(1))

    def due(self, step: int) -> bool:
        return step % self.every == 0 or step == self.total

    def check(self, step: int) -> List[Tuple[int, float, List[float]]]:
        """Read the window (one host synchronisation), raise TrainingDiverged if it failed, and return
        its rows (step, total loss, per-field losses)."""
        values = torch.stack(self.window).tolist()
        first, self.first, self.window = self.first, step + 1, []
        rows = [(first + i, v[0], v[1:] or v) for i, v in enumerate(values)]
        for s, total, v in rows:
            if not math.isfinite(total):
                per = ", ".join(f"{k}: {x:.4g}" for k, x in zip(self.kinds, v))
                raise TrainingDiverged(
                    f"non-finite training loss at step {s} ({per}; checked steps {first}-{step}){self.context}: "
                    f"lower the learning rate or narrow [t_min, t_max]", "non-finite", (first, step))
        if self.initial is None:
            self.initial = rows[0][1]
        mean = sum(total for _, total, _ in rows) / len(rows)
        scale = max(abs(self.initial), -min(0.0, self.lowest))
        limit = self.initial + RUNAWAY_FACTOR * scale
        if mean > limit:
            raise TrainingDiverged(
                f"training ran away in steps {first}-{step} (criterion: runaway loss): the mean loss {mean:.4g} "
                f"exceeds the initial loss {self.initial:.4g} by more than {RUNAWAY_FACTOR:g} x the loss scale "
                f"{scale:.4g} (limit {limit:.4g}){self.context}: lower the learning rate", "runaway", (first, step))
        self.lowest = min(self.lowest, mean)
        return rows
