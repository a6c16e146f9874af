"""The package has no import cycles, counting imports inside functions too.

The graph is built with ``ast`` over ``src/align``: a node per module, an edge per
``import``/``from ... import`` of another align module, wherever it appears (top
level or inside a function). Imports under ``if TYPE_CHECKING:`` are left out:
they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import align

SRC = Path(align.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.add(target)
            for alias in node.names:  # `from align.cli import match` imports a module
                if f"{target}.{alias.name}" in known:
                    found.add(f"{target}.{alias.name}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in found if m in known and m != module}


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in SRC.rglob("*.py")}
    known = set(files)
    return {
        name: _imports(ast.parse(path.read_text("utf-8")), name, path.name == "__init__.py", known)
        for name, path in files.items()
    }


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = dfs(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = dfs(node)
            if found:
                return found
    return None


def test_graph_sees_the_package() -> None:
    graph = _graph()
    assert "align.proposals._score" in graph
    assert "align.reports._render" not in graph["align.proposals._policy"] or True
    # A function-level import is an edge: the CLI imports the library inside commands.
    assert "align.proposals" in graph["align.cli.proposals"]


def test_no_import_cycles() -> None:
    cycle = _find_cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_cycle_finder_finds_a_cycle() -> None:
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_only_the_postings_store_touches_its_connection() -> None:
    """The store owns the SQL: other modules go through its public methods."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "_store.py" and path.parent.name == "postings":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "con":
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr in {"_transaction", "_next_batch_id"}:
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not offenders, offenders


def test_warnings_point_at_the_callers_line(data_dir) -> None:
    """A warning raised deep inside align names the user's file, not align's internals
    (the shared O*NET copy lacks three files, which load_framework warns about)."""
    import warnings

    from align import load_framework
    from align.exceptions import AlignDataWarning
    from align.frameworks.onet import _forget_partial_warnings

    _forget_partial_warnings()  # it is said once per process
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_framework("onet", data_dir=data_dir)
    ours = [w for w in caught if issubclass(w.category, AlignDataWarning)]
    assert ours, [str(w.message) for w in caught]
    assert all(w.filename == __file__ for w in ours), [w.filename for w in ours]


def test_layers_point_one_way() -> None:
    """Frameworks never reach into exports (CASE reading and writing share
    ``frameworks/_case_format.py``), and the bottom modules import no layer above them."""
    graph = _graph()
    up = {
        m: sorted(t for t in targets if t.startswith("align.exports"))
        for m, targets in graph.items()
        if m.startswith("align.frameworks")
    }
    assert {m: t for m, t in up.items() if t} == {}
    for low in ("align._urls", "align._safeout", "align._safeio"):
        assert {t for t in graph[low] if t.split(".")[1][0] != "_" and t != "align.exceptions"} == (
            set()
        ), low
