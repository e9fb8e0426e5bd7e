"""The import graph of ``dea``, ``weighting`` and ``socialperf`` has no cycle, and the project
imports its own modules inside functions only where a heavy optional dependency is deferred.

The graph is read from the source with :mod:`ast` (nothing is imported): every ``import`` and
``from ... import ...`` at module level and inside functions, except those under
``if TYPE_CHECKING:`` (never executed). ``from x import y`` is an edge to the module ``x.y``
when ``y`` is a submodule, else to ``x``; relative imports are resolved against the package.
Importing ``a.b.c`` also runs the ``__init__`` of ``a.b``: that is an edge too, unless the
importing module is itself inside ``a.b`` (then the package is already initialising).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dea", "weighting", "socialperf")

#: (importing module, imported module) -> the heavy optional dependency an in-function import
#: defers.  Empty: the heavy third-party libraries (matplotlib in socialperf.plots,
#: weighting.plots and the report writer; pulp in dea.solvers.pulp; dask in dea._parallel)
#: are imported lazily inside those modules, so every project module is imported at the top.
DEFERRED_IMPORTS: dict[tuple[str, str], str] = {}

#: In-function imports not yet moved, with the reason (this list may only shrink).
NOT_YET_MOVED: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for pkg in PACKAGES
        for p in sorted((ROOT / pkg).rglob("*.py"))
    }


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every executed import statement, with whether it sits inside a function."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.orelse:
                    visit(ast.Module(body=[sub], type_ignores=[]), in_function)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append((child, in_function))
            inner = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            visit(child, inner)

    visit(tree, False)
    return found


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool,
             modules: dict[str, Path]) -> set[str]:
    """The project modules an import statement loads (outside modules are dropped)."""

    def project(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    out: set[str | None] = set()
    if isinstance(node, ast.Import):
        out = {project(alias.name) for alias in node.names}
    else:
        if node.level:
            base = module if is_package else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            source = f"{base}.{node.module}" if node.module else base
        else:
            source = node.module or ""
        for alias in node.names:
            sub = f"{source}.{alias.name}"
            out.add(sub if sub in modules else project(source))
    return {m for m in out if m is not None}


def _parents(module: str) -> list[str]:
    """The packages whose ``__init__`` runs before ``module``: a.b.c -> [a, a.b]."""
    parts = module.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts))]


def _graph() -> tuple[nx.DiGraph, list[tuple[str, str, int]]]:
    """The import graph, and the in-function imports (module, imported module, line)."""
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    deferred = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, in_function in _imports(tree):
            for target in _targets(node, name, path.name == "__init__.py", modules):
                if target == name:
                    continue
                graph.add_edge(name, target)
                if in_function:
                    deferred.append((name, target, node.lineno))
                for parent in _parents(target):
                    if parent != name and not name.startswith(parent + "."):
                        graph.add_edge(name, parent)
    return graph, deferred


def _cycles(graph: nx.DiGraph) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module."""
    out = []
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            cycle = nx.find_cycle(graph.subgraph(component))
            out.append([u for u, _ in cycle] + [cycle[0][0]])
    return sorted(out)


def test_graph_sees_known_edges():
    # the graph is real: a few imports that must be there
    graph, _ = _graph()
    assert graph.has_edge("socialperf.mfi", "socialperf.catalogue")
    assert graph.has_edge("weighting.scheme", "weighting.normalise")
    assert graph.number_of_nodes() > 40


def test_parent_packages_are_edges():
    graph, _ = _graph()
    assert graph.has_edge("socialperf.audit", "socialperf.study")  # via socialperf.study.data
    assert not graph.has_edge("socialperf.study.run", "socialperf.study")
    assert _parents("a.b.c") == ["a", "a.b"]


def test_cycle_finder_names_a_cycle():
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    assert _cycles(graph) == [["a", "b", "c", "a"]]


def test_targets_resolve_submodules_and_relative_imports():
    modules = dict.fromkeys(["p", "p.q", "p.q.r", "p.s"], Path())
    tree = ast.parse("from p.q import r, thing\nfrom . import s\nfrom .r import x\nimport os")
    nodes = [n for n, _ in _imports(tree)]
    assert _targets(nodes[0], "p.q.r", False, modules) == {"p.q.r", "p.q"}
    assert _targets(nodes[1], "p.q", True, modules) == {"p.q"}
    assert _targets(nodes[1], "p.s", False, modules) == {"p.s"}
    assert _targets(nodes[2], "p.q", True, modules) == {"p.q.r"}
    assert _targets(nodes[3], "p", True, modules) == set()


def test_type_checking_imports_are_not_edges():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\nelse:\n    import b\n"
        "def f():\n    import c\n"
    )
    got = [(n.names[0].name, inside) for n, inside in _imports(tree)]
    assert got == [("TYPE_CHECKING", False), ("b", False), ("c", True)]


def test_no_import_cycles():
    cycles = _cycles(_graph()[0])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_in_function_imports_are_allow_listed():
    _, deferred = _graph()
    unlisted = sorted(
        f"{mod}:{line} imports {target}"
        for mod, target, line in deferred
        if (mod, target) not in DEFERRED_IMPORTS and (mod, target) not in NOT_YET_MOVED
    )
    assert not unlisted, (
        "in-function imports of the project's own modules (move them to the top, or add "
        "them to DEFERRED_IMPORTS with the heavy optional dependency they defer):\n"
        + "\n".join(unlisted)
    )


def test_allow_list_is_current():
    _, deferred = _graph()
    seen = {(mod, target) for mod, target, _ in deferred}
    stale = sorted((set(DEFERRED_IMPORTS) | set(NOT_YET_MOVED)) - seen)
    assert not stale, f"allow-list entries with no such import (remove them): {stale}"
