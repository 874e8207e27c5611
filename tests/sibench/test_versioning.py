"""sibench.versioning: a stage's code version is the import closure of its module, read from the sources,
and it follows imports into packages (si/sampling/ as a package of several files works like si/sampling.py)."""
from __future__ import annotations

import shutil

from sibench.versioning import ROOT, STAGE_MODULES, SourceTree, stage_version


def _copy(tmp_path):
    for package in ("si", "sibench"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _versions(root):
    tree = SourceTree(root)  # a fresh tree reads the files again
    return {stage: tree.version(module) for stage, module in STAGE_MODULES.items()}


def test_stage_versions_are_distinct_and_stable():
    v = {s: stage_version(s) for s in STAGE_MODULES}
    assert len(set(v.values())) == len(v) and all(len(x) == 16 for x in v.values())
    assert v == {s: stage_version(s) for s in STAGE_MODULES}


def test_closure_follows_modules_and_packages(tmp_path):
    root = _copy(tmp_path)
    tree = SourceTree(root)
    evaluate = tree.closure([STAGE_MODULES["evaluate"]])
    assert {"si.sampling", "si.likelihood", "si.training", "sibench.stages.sampling", "sibench.samples"} <= set(evaluate)
    assert "si.sampling" not in tree.closure([STAGE_MODULES["train"]])
    assert "sibench.densities.entropies" in tree.closure(["sibench.pairs"])  # package __init__ -> its modules
    # si.sampling is a package: its __init__ re-exports from modules that import one another
    assert {"si.sampling", "si.sampling.ode", "si.sampling.sde", "si.fields"} <= set(evaluate)
    assert not any(m.startswith("si.sampling") for m in tree.closure([STAGE_MODULES["train"]]))
    # a module added to the package and imported by its __init__ joins the closure
    (root / "si/sampling/extra.py").write_text("from .sde import *  # noqa: F401,F403\n")
    with open(root / "si/sampling/__init__.py", "a") as fh:
        fh.write("\nfrom . import extra  # noqa: E402,F401\n")
    assert "si.sampling.extra" in SourceTree(root).closure([STAGE_MODULES["evaluate"]])
    before = _versions(root)
    with open(root / "si/sampling/sde.py", "a") as fh:
        fh.write("\n# an edit\n")
    after = _versions(root)
    sampling = {"evaluate", "sb_maxmin"}   # the stages that sample (sb_maxmin: the bridge's SDE)
    assert all(after[s] != before[s] for s in sampling)
    assert {s: v for s, v in after.items() if s not in sampling} == {s: v for s, v in before.items() if s not in sampling}
