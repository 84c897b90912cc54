"""The house rules, read from the code: import directions, no cycles, small rooms.

docs/architecture.md draws the layers; this test holds the code to them. Imports are read
with `ast` (nothing is imported), so a cycle hidden behind an import inside a function is
found as well as one at module level.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("geo", "layers", "api", "web")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Which top-level packages each may import (itself always allowed).
ALLOWED = {
    "geo": set(),
    "layers": {"geo"},
    "web": {"geo", "layers"},
    "api": {"geo", "layers", "web"},
}
# A function-level import of our own code must say why it is deferred, on its line or the
# line above: only start-up time is a reason (a cycle is not).
LAZY_MARK = "start-up"


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _target(node: ast.ImportFrom | ast.Import, module: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert not node.level, f"{module}:{node.lineno}: a relative import (the house uses absolute)"
    base = node.module or ""
    names = [f"{base}.{alias.name}" for alias in node.names]
    return [name if name in MODULES else base for name in names]


def _own(name: str) -> str | None:
    """The module of ours that an imported name lies in, or None for a third-party one."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> list[tuple[str, ast.stmt, bool]]:
    """(imported module of ours, the statement, whether it sits inside a function).

    Imports under ``if TYPE_CHECKING:`` count: a cycle for annotations is still a cycle.
    """
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: list[tuple[str, ast.stmt, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import | ast.ImportFrom):
                for name in _target(child, module):
                    own = _own(name)
                    if own is not None and own != module:
                        found.append((own, child, in_function))
            visit(child, inner)

    visit(tree, in_function=False)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def test_layers_import_only_downwards() -> None:
    wrong = [
        f"{module} imports {target} (line {node.lineno})"
        for module, imports in GRAPH.items()
        for target, node, _ in imports
        if target.split(".")[0] != module.split(".")[0]
        and target.split(".")[0] not in ALLOWED[module.split(".")[0]]
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    edges = {module: {target for target, _, _ in imports} for module, imports in GRAPH.items()}
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert not cycles, "\n".join(cycles)


def test_deferred_imports_say_why() -> None:
    unexplained = []
    for module, imports in GRAPH.items():
        lines = MODULES[module].read_text(encoding="utf-8").splitlines()
        for target, node, in_function in imports:
            if not in_function:
                continue
            here = " ".join(lines[max(0, node.lineno - 2) : node.lineno])
            if LAZY_MARK not in here:
                unexplained.append(f"{module}:{node.lineno} imports {target} inside a function")
    assert not unexplained, "\n".join(unexplained)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_rooms_are_small(module: str) -> None:
    text = MODULES[module].read_text(encoding="utf-8")
    lines = len(text.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines (at most {MAX_MODULE_LINES})"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{module}: functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"
