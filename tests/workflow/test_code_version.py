"""Each rule carries the code version of its stage (sibench.versioning), so editing the code a stage runs
re-runs its jobs and editing other code does not."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from sibench.versioning import STAGE_MODULES, SourceTree

from .tiny import ROOT


def test_code_version_tracks_the_stage_code(tmp_path):
    """Editing si.sampling changes the evaluate stage's code version (so its jobs re-run) but not the
    train stage's; editing si.training changes both (evaluation loads the checkpoints). The edited files
    are those of si.sampling and si.training, modules or packages."""
    for package in ("si", "sibench"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    probe = ("import sibench.versioning as V; print(V.__file__); "
             "print(*(V.stage_version(s) for s in V.STAGE_MODULES))")

    def versions():
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                             cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)}).stdout.split("\n")
        assert out[0].startswith(str(tmp_path)), out[0]
        return dict(zip(STAGE_MODULES, out[1].split()))

    before = versions()
    assert len({before[s] for s in ("truth", "train", "evaluate")}) == 3
    tree = SourceTree(tmp_path)
    with open(tree.module_file("si.sampling"), "a") as fh:
        fh.write("\n# an edit\n")
    after = versions()
    assert after["evaluate"] != before["evaluate"] and after["train"] == before["train"]
    assert after["truth"] == before["truth"]
    with open(tree.module_file("si.training"), "a") as fh:
        fh.write("\n# an edit\n")
    last = versions()
    assert last["train"] != after["train"] and last["evaluate"] != after["evaluate"]
