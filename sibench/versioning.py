"""Code versions: a hash of the source files a workflow stage runs, in si and in sibench.

Snakemake cannot see Python imports, so every rule passes the hash of the code its job runs as a
parameter: editing that code marks the job's outputs out of date (the params rerun trigger), and
editing unrelated code does not. The import graph is read from the sources (ast), never by
importing them, so building the DAG stays cheap.
"""
from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path
from typing import FrozenSet, Iterable, Optional

ROOT = Path(__file__).resolve().parent.parent   # the folder holding si/ and sibench/
PACKAGES = ("si", "sibench")


@functools.lru_cache(maxsize=None)
def module_file(name: str) -> Optional[Path]:
    """The source file of a dotted module name of si or sibench (a module or a package), else None."""
    parts = name.split(".")
    if parts[0] not in PACKAGES:
        return None
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=None)
def parsed(path: Path):
    """(source text, ast) of a file, parsed once per process."""
    text = path.read_text()
    return text, ast.parse(text)


def _package_of(name: str) -> str:
    path = module_file(name)
    return name if path is not None and path.name == "__init__.py" else name.rpartition(".")[0]


def imports_in(tree: ast.AST, module: str) -> FrozenSet[str]:
    """si / sibench modules imported anywhere in `tree`, which is (part of) the module `module`:
    absolute and relative imports; `from pkg import submodule` counts the submodule only (a package's
    __init__ re-exports, it computes nothing), `from module import name` the module."""
    found = set()
    package = _package_of(module)
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
            submodules = [f"{prefix}.{a.name}" for a in node.names if module_file(f"{prefix}.{a.name}")]
            found.update(submodules)
            if len(submodules) < len(node.names):  # names defined in the module (or package) itself
                found.add(prefix)
    return frozenset(m for m in found if module_file(m) is not None)


@functools.lru_cache(maxsize=None)
def module_imports(name: str) -> FrozenSet[str]:
    """si / sibench modules imported by the module `name` (its whole file)."""
    path = module_file(name)
    return imports_in(parsed(path)[1], name) if path is not None else frozenset()


def closure(names: Iterable[str], exclude: Iterable[str] = ()) -> list:
    """`names` and every si / sibench module they import, transitively, sorted; `exclude` is skipped
    (and not followed)."""
    skip = set(exclude)
    todo, done = list(names), set()
    while todo:
        mod = todo.pop()
        if mod in done or mod in skip or module_file(mod) is None:
            continue
        done.add(mod)
        todo.extend(module_imports(mod))
    return sorted(done)


def hash_modules(h, names: Iterable[str], exclude: Iterable[str] = ()) -> None:
    """Feed h the name and source of every module of closure(names, exclude), in sorted order."""
    for mod in closure(names, exclude):
        h.update(mod.encode() + b"\0" + module_file(mod).read_bytes())


def modules_version(*names: str) -> str:
    """sha256 (16 hex digits) of the modules `names` and everything of si / sibench they import."""
    h = hashlib.sha256()
    hash_modules(h, names)
    return h.hexdigest()[:16]
