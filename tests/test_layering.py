"""The layering of the code base, checked from the sources (no test here trains or samples anything).

- `import si` (the library) loads none of the harness's heavy dependencies;
- the import graph of si/ and sibench/ has no cycle and no edge from si to sibench;
- nothing tracked refers to the design notes or to a path outside the repository;
- no module of si/ or sibench/ is longer than 400 lines;
- no module of si/ or sibench/ imports (or reaches through a module alias) a name with a leading
  underscore from another module.

The import graph is read with ast: absolute and relative imports, at module level or inside
functions, classes and conditionals (imports under `if TYPE_CHECKING:` never run and are left out).
`from pkg import name` is an edge to the submodule pkg.name when that is a module, else to pkg itself;
importing a submodule is not counted as an edge to its parent package (whose __init__ only re-exports).
"""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("si", "sibench")
HEAVY = ("pandas", "matplotlib", "seaborn", "snakemake")   # the harness's dependencies, never the library's
MAX_LINES = 400


# ----------------------------------------------------------------------------------------
# the modules of si/ and sibench/ and their imports
# ----------------------------------------------------------------------------------------
def _modules() -> Dict[str, Path]:
    """Dotted module name -> source file, for every .py file of the packages (packages by their __init__)."""
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _known_prefix(name: str) -> str:
    """The longest prefix of a dotted name that is a module of si / sibench ('' if none)."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        candidate = ".".join(parts[:k])
        if candidate in MODULES:
            return candidate
    return ""


def _import_base(module: str, node: ast.ImportFrom) -> str:
    """The absolute dotted name `from <base> import ...` refers to, inside `module`."""
    if not node.level:
        return node.module or ""
    package = module if _is_package(module) else module.rpartition(".")[0]
    parts = package.split(".")
    if node.level - 1 > len(parts) - 1:
        raise AssertionError(f"{module}: relative import beyond the top-level package (level {node.level})")
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> List[ast.stmt]:
    """Every Import / ImportFrom in the tree, at any depth, except under `if TYPE_CHECKING:`."""
    found: List[ast.stmt] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _parse(name: str) -> ast.AST:
    return ast.parse(MODULES[name].read_text(), filename=str(MODULES[name]))


def _edges(name: str) -> Set[str]:
    """The modules of si / sibench that module `name` imports."""
    targets = set()
    for node in _import_nodes(_parse(name)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known_prefix(alias.name)
                if target:
                    targets.add(target)
        else:
            base = _import_base(name, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if alias.name != "*" and sub in MODULES:
                    targets.add(sub)
                else:
                    target = _known_prefix(base)
                    if target:
                        targets.add(target)
    targets.discard(name)
    return targets


GRAPH = {name: _edges(name) for name in MODULES}


def _cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    components: List[List[str]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                components.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return components


# ----------------------------------------------------------------------------------------
# (a) the library does not load the harness's dependencies
# ----------------------------------------------------------------------------------------
def test_importing_si_loads_no_harness_dependency():
    """`import si` and every si module, in a fresh interpreter: no pandas, matplotlib, seaborn or
    snakemake module may be in sys.modules afterwards."""
    si_modules = sorted(m for m in MODULES if m.split(".")[0] == "si")
    code = (
        "import importlib, sys\n"
        "import si\n"
        f"for m in {si_modules!r}:\n"
        "    importlib.import_module(m)\n"
        f"heavy = {HEAVY!r}\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
        "print('SI', si.__file__)\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"importing si failed:\n{proc.stderr[-3000:]}"
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    assert Path(lines["SI"]).resolve().parent == (ROOT / "si").resolve(), \
        f"imported si from {lines['SI']}, not from this checkout"
    assert lines["LOADED"] == "[]", f"import si loaded harness dependencies: {lines['LOADED']}"


# ----------------------------------------------------------------------------------------
# (b) the import graph
# ----------------------------------------------------------------------------------------
def test_the_import_graph_is_read():
    """The graph the next two tests check is not empty: known edges of the current layout are found."""
    assert "si.interpolants" in GRAPH["si.oracle"]             # relative: from .interpolants import ...
    assert any(t.startswith("si.") for t in GRAPH["sibench.pairs.pair"])   # absolute: from si... import ...


def test_si_never_imports_sibench():
    bad = sorted((m, t) for m, targets in GRAPH.items() if m.split(".")[0] == "si"
                 for t in targets if t.split(".")[0] == "sibench")
    assert not bad, f"the library imports the harness: {bad}"


def test_no_import_cycle_between_modules():
    cycles = _cycles(GRAPH)
    assert not cycles, "import cycles among si / sibench modules: " + "; ".join(" <-> ".join(c) for c in cycles)


# ----------------------------------------------------------------------------------------
# (c) nothing refers to the design notes or to a path outside the repository
# ----------------------------------------------------------------------------------------
# Built from pieces, so that this file does not contain the strings it looks for.
FORBIDDEN = [
    ("a reference to the design notes", re.compile(re.escape("DES" + "IGN"))),
    ("a path outside the repository", re.compile(re.escape(".." + "/shared"))),
    ("an absolute path of the build machine", re.compile(r"(?<![\w.:/-])" + re.escape("/wo" + "rk/"))),
]
EXEMPT = {"CHANGELOG.md"}


def _tracked_files() -> List[str]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.CalledProcessError) as e:
        pytest.skip(f"not a git checkout, cannot list tracked files: {e}")
    return [f for f in out.stdout.decode().split("\0") if f]


def test_forbidden_patterns_match_what_they_should():
    design, shared, machine = (p for _, p in FORBIDDEN)
    assert design.search("see the " + "DES" + "IGN" + " notes") and not design.search("the design of the code")
    assert shared.search("cat .." + "/shared/notes.md")
    assert machine.search("open('/wo" + "rk/x')") and machine.search(" /wo" + "rk/main")
    assert not machine.search("https://example.org/wo" + "rk/") and not machine.search("results/wo" + "rk/")


def test_no_reference_to_design_notes_or_outside_paths():
    files = _tracked_files()
    assert "README.md" in files and "si/__init__.py" in files
    hits: List[Tuple[str, int, str]] = []
    for rel in files:
        path = ROOT / rel
        if rel in EXEMPT or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary (figures)
        text = data.decode("utf-8", errors="replace")
        for what, pattern in FORBIDDEN:
            for m in pattern.finditer(text):
                hits.append((rel, text.count("\n", 0, m.start()) + 1, what))
    assert not hits, "tracked files refer outside the repository:\n" + "\n".join(
        f"  {f}:{line}: {what}" for f, line, what in hits[:50])


# ----------------------------------------------------------------------------------------
# (d) module length
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_has_at_most_400_lines(name):
    n = len(MODULES[name].read_text().splitlines())
    assert n <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {n} lines (at most {MAX_LINES})"


# ----------------------------------------------------------------------------------------
# (e) no private name used outside its module
# ----------------------------------------------------------------------------------------
def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _dotted(node: ast.expr) -> List[str]:
    """['a', 'b', 'c'] for the expression a.b.c, [] for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return []
    return [node.id] + parts[::-1]


def _private_uses(name: str) -> List[str]:
    """`from m import _x`, and `alias._x` where alias is bound to a module of si / sibench."""
    tree = _parse(name)
    uses, bound = [], {}
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = top
        else:
            base = _import_base(name, node)
            for alias in node.names:
                if _private(alias.name):
                    uses.append(f"line {node.lineno}: from {base} import {alias.name}")
                sub = f"{base}.{alias.name}"
                if sub in MODULES:
                    bound[alias.asname or alias.name] = sub
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            chain = _dotted(node.value)
            if chain and chain[0] in bound:
                target = ".".join([bound[chain[0]]] + chain[1:])
                if target in MODULES and target != name:
                    uses.append(f"line {node.lineno}: {'.'.join(chain)}.{node.attr} ({target})")
    return uses


def test_private_names_are_detected():
    """The check below sees both forms (a private import, a private attribute of a module alias)."""
    tree = ast.parse("from .experiment import _pair\nfrom . import experiment as E\nE._generator(1)\n")
    imports = [n for n in _import_nodes(tree) if isinstance(n, ast.ImportFrom)]
    assert [a.name for n in imports for a in n.names] == ["_pair", "experiment"]
    assert _private("_pair") and not _private("__version__") and not _private("public")
    assert _dotted(ast.parse("E._generator", mode="eval").body.value) == ["E"]


def test_no_module_uses_a_private_name_of_another():
    found = {name: uses for name in sorted(MODULES) if (uses := _private_uses(name))}
    assert not found, "private names used outside their module:\n" + "\n".join(
        f"  {MODULES[m].relative_to(ROOT)}: {u}" for m, uses in found.items() for u in uses)


# ----------------------------------------------------------------------------------------
# (f) no placeholder left in a tracked text file (a document or a result that says "fill in later")
# ----------------------------------------------------------------------------------------
UNFINISHED = re.compile(r"(?<![A-Za-z])(?:" + "PLACE" + "HOLDER|TO" + "DO|FIX" + r"ME)(?![a-z])|@@[A-Z_]+@@")


def test_no_placeholder_in_tracked_files():
    assert UNFINISHED.search("RESULTS_" + "PLACE" + "HOLDER") and UNFINISHED.search("@@" + "RESULTS@@")
    assert not UNFINISHED.search("a placeholder in prose")
    hits = []
    for rel in _tracked_files():
        path = ROOT / rel
        if rel in EXEMPT or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        text = data.decode("utf-8", errors="replace")
        hits += [(rel, text.count("\n", 0, m.start()) + 1) for m in UNFINISHED.finditer(text)]
    assert not hits, "placeholders left in tracked files:\n" + "\n".join(f"  {f}:{line}" for f, line in hits[:50])
