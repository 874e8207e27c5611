"""Atomic output and the log of a workflow job.

Every file a stage writes goes through si.fileio.atomic_write (a temporary file in the same folder,
then os.replace), so a killed job never leaves a file that looks finished. `logged` sends a job's
stdout and stderr to its rule's log file, bounds torch's threads and records time and peak memory.
"""
from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Dict, Optional

from si.fileio import atomic_write

__all__ = ["atomic_write", "write_text", "write_bytes", "write_json", "write_csv", "save_npz", "logged"]

SI_ROOT = Path(__file__).resolve().parent.parent / "si"   # printed in every log: which si ran


def write_text(path, text: str) -> None:
    atomic_write(path, lambda p: Path(p).write_text(text))


def write_bytes(path, data: bytes) -> None:
    atomic_write(path, lambda p: Path(p).write_bytes(data))


def write_json(path, obj) -> None:
    """obj as indented JSON with sorted keys (numpy scalars written as floats)."""
    write_text(path, json.dumps(obj, indent=1, sort_keys=True, default=float) + "\n")


def write_csv(path, frame) -> None:
    """A pandas DataFrame as CSV, without its index."""
    atomic_write(path, lambda p: frame.to_csv(p, index=False))


def save_npz(path, arrays: Dict[str, "object"]) -> None:
    """numpy arrays as one compressed .npz file."""
    import numpy as np
    atomic_write(path, lambda p: np.savez_compressed(p, **arrays), suffix=".npz")


@contextlib.contextmanager
def logged(log_path, threads: Optional[int] = None):
    """Send stdout and stderr to the rule's log file (appending), bound torch's threads, and time it."""
    import torch
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if threads:
        torch.set_num_threads(int(threads))
    t0 = time.time()
    with open(log_path, "a") as fh, contextlib.redirect_stdout(fh), contextlib.redirect_stderr(fh):
        print(f"[{time.strftime('%Y-%m-%d %H:%M:%S')}] start (si from {SI_ROOT}, torch threads: "
              f"{torch.get_num_threads()})", flush=True)
        try:
            yield fh
        except BaseException:
            import traceback
            traceback.print_exc()
            raise
        finally:
            import resource
            ru = resource.getrusage(resource.RUSAGE_SELF)
            print(f"[{time.strftime('%Y-%m-%d %H:%M:%S')}] done in {time.time() - t0:.1f}s "
                  f"(process cpu {ru.ru_utime + ru.ru_stime:.1f}s, peak rss {ru.ru_maxrss / 1024:.0f} MB)", flush=True)
