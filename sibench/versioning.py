"""Code versions: a hash of the source files a workflow stage runs, in si and in sibench.

Snakemake cannot see Python imports, so every rule passes the hash of the code its job runs as a
parameter: editing that code marks the job's outputs out of date (the params rerun trigger), and
editing unrelated code does not. A stage is one module (STAGE_MODULES); its code is that module and
every si / sibench module it imports, transitively, wherever in the file the import stands. The import
graph is read from the sources (ast), never by importing them, so building the DAG stays cheap.

Packages are followed like modules: `from pkg import name` counts the package's __init__ (and so
everything it imports, relative imports included), `from pkg import submodule` and
`import pkg.submodule` count the submodule only (a package's __init__ re-exports, it computes nothing).
"""
from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path
from typing import FrozenSet, Iterable, List, Optional

__all__ = ["ROOT", "PACKAGES", "STAGE_MODULES", "SourceTree", "TREE", "module_file", "closure", "hash_modules",
           "modules_version", "stage_version"]

ROOT = Path(__file__).resolve().parent.parent   # the folder holding si/ and sibench/
PACKAGES = ("si", "sibench")
STAGE_MODULES = {"truth": "sibench.stages.truth", "train": "sibench.stages.train",
                 "evaluate": "sibench.stages.evaluate",
                 "sb_maxmin": "sibench.stages.sb_maxmin", "aggregate": "sibench.stages.aggregate",
                 "tables": "sibench.tables", "figures": "sibench.figures"}


class SourceTree:
    """The si and sibench sources under `root`: module files, their imports, and import closures."""

    def __init__(self, root: Path, packages: Iterable[str] = PACKAGES):
        self.root, self.packages = Path(root), tuple(packages)

    @functools.lru_cache(maxsize=None)
    def module_file(self, name: str) -> Optional[Path]:
        """The source file of a dotted module name (a module, or a package's __init__), else None."""
        parts = name.split(".")
        if parts[0] not in self.packages:
            return None
        base = self.root.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def package_of(self, name: str) -> str:
        """The package a relative import in module `name` starts from (itself for a package's __init__)."""
        path = self.module_file(name)
        return name if path is not None and path.name == "__init__.py" else name.rpartition(".")[0]

    def imports_in(self, tree: ast.AST, module: str) -> FrozenSet[str]:
        """si / sibench modules imported anywhere in `tree`, which is (part of) the module `module`."""
        found = set()
        package = self.package_of(module)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                submodules = [f"{prefix}.{a.name}" for a in node.names if self.module_file(f"{prefix}.{a.name}")]
                found.update(submodules)
                if len(submodules) < len(node.names):  # names defined in the module (or package) itself
                    found.add(prefix)
        return frozenset(m for m in found if self.module_file(m) is not None)

    @functools.lru_cache(maxsize=None)
    def module_imports(self, name: str) -> FrozenSet[str]:
        """si / sibench modules imported by the module `name` (its whole file)."""
        path = self.module_file(name)
        return self.imports_in(ast.parse(path.read_text()), name) if path is not None else frozenset()

    def closure(self, names: Iterable[str]) -> List[str]:
        """`names` and every si / sibench module they import, transitively, sorted."""
        todo, done = list(names), set()
        while todo:
            mod = todo.pop()
            if mod in done or self.module_file(mod) is None:
                continue
            done.add(mod)
            todo.extend(self.module_imports(mod))
        return sorted(done)

    def hash_modules(self, h, names: Iterable[str]) -> None:
        """Feed h the name and source of every module of closure(names), in sorted order."""
        for mod in self.closure(names):
            h.update(mod.encode() + b"\0" + self.module_file(mod).read_bytes())

    def version(self, *names: str) -> str:
        """sha256 (16 hex digits) of the modules `names` and everything of si / sibench they import."""
        h = hashlib.sha256()
        self.hash_modules(h, names)
        return h.hexdigest()[:16]


TREE = SourceTree(ROOT)


def module_file(name: str) -> Optional[Path]:
    """The source file of a dotted si / sibench module name in this repository, else None."""
    return TREE.module_file(name)


def closure(names: Iterable[str]) -> List[str]:
    """`names` and every si / sibench module of this repository they import, transitively, sorted."""
    return TREE.closure(names)


def hash_modules(h, names: Iterable[str]) -> None:
    """Feed h the name and source of every module of closure(names)."""
    TREE.hash_modules(h, names)


def modules_version(*names: str) -> str:
    """sha256 (16 hex digits) of the modules `names` and everything of si / sibench they import."""
    return TREE.version(*names)


def stage_version(stage: str) -> str:
    """The code version of a workflow stage: modules_version of its module (STAGE_MODULES)."""
    if stage not in STAGE_MODULES:
        raise ValueError(f"unknown stage {stage!r}; valid: {sorted(STAGE_MODULES)}")
    return modules_version(STAGE_MODULES[stage])
