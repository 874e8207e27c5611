"""Progress output of a training run, and the thread limit it runs under (docs/theory.md §3): a tqdm
bar on an interactive terminal, periodic log lines otherwise. Training of the fields of
Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from __future__ import annotations

import contextlib
import sys
import time
from typing import Optional, TextIO

import torch

__all__ = ["TrainingProgress", "limit_threads"]


@contextlib.contextmanager
def limit_threads(n: Optional[int]):
    """Run the block with torch limited to n intra-op threads (None: unchanged)."""
    if n is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


class TrainingProgress:
    """A tqdm bar on an interactive terminal, periodic log lines otherwise."""

    def __init__(self, total: int, every: int, stream: Optional[TextIO]):
        self.stream = stream or sys.stderr
        self.every, self.t0, self.bar, self.done = every, time.time(), None, 0
        if stream is None and sys.stderr.isatty():
            from tqdm.auto import tqdm
            self.bar = tqdm(total=total, desc="train", leave=False)

    def update(self, step: int, total: int, loss: float, lr: float) -> None:
        """Progress up to `step` (called at the steps where the trainer reads its losses)."""
        if self.bar is not None:
            self.bar.update(step - self.done)
            self.done = step
            if step % self.every == 0:
                self.bar.set_postfix(loss=f"{loss:.4f}", lr=f"{lr:.2e}")
        elif step % self.every == 0 or step == total:
            print(f"step {step}/{total} loss {loss:.5f} lr {lr:.2e} elapsed {time.time() - self.t0:.1f}s",
                  file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
