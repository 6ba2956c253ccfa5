"""The import graph of ``src/attt``: no cycles, and nothing imports the CLI.

Every ``import`` and ``from … import`` inside ``src/attt`` counts, at module level or inside a
function or an ``if TYPE_CHECKING:`` block: a lazy import hides a cycle, it does not remove
it, and so does ``importlib.import_module("attt.x")`` with a literal name.
``from . import x`` counts as an import of the submodule ``x`` when there is one.
Set ``ATTT_IMPORTS_ROOT`` to another ``src/attt`` folder to check an older tree.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

SRC = Path(os.environ.get("ATTT_IMPORTS_ROOT") or Path(__file__).parents[1] / "src" / "attt")


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = ["attt", *rel.parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    if not level:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def import_graph(root: Path = SRC) -> dict[str, set[str]]:
    """Module -> the attt modules it imports (only modules that exist under ``root``)."""

    mods = _modules(root)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, is_package, node.level, node.module)
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in mods]
                # ``from .sub import b`` imports the submodule b; ``from .m import f`` imports m.
                targets = subs if len(subs) == len(node.names) else [base, *subs]
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
                  and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
                  and node.args and isinstance(node.args[0], ast.Constant)
                  and isinstance(node.args[0].value, str)):
                targets = [node.args[0].value]  # importlib.import_module("attt.x"): an import
            for target in targets:
                # "attt.render.html" imports attt.render.html (and, by Python, its packages);
                # the edge goes to the deepest module that exists.
                while target and target not in mods:
                    target = target.rpartition(".")[0]
                if target and target != mod and target.startswith("attt"):
                    graph[mod].add(target)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle ``[a, b, …, a]`` per group of modules that import each other."""

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def strong(node: str) -> None:  # Tarjan
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                strong(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for start in sorted(graph):
        if start not in index:
            strong(start)
    cycles = []
    for group in sorted(groups, key=min):
        start = min(group)
        paths = {start: [start]}
        queue = [start]
        while queue:  # shortest way from start back to start inside the group
            node = queue.pop(0)
            for nxt in sorted(graph[node] & group):
                if nxt == start:
                    queue = []
                    cycles.append(paths[node] + [start])
                    break
                if nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    queue.append(nxt)
    return cycles


def test_no_import_cycles() -> None:
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_only_main_imports_cli() -> None:
    users = sorted(m for m, deps in import_graph().items()
                   if "attt.cli" in deps and m not in ("attt.cli", "attt.__main__"))
    assert not users, f"modules importing attt.cli: {', '.join(users)}"


def test_the_registry_is_a_leaf() -> None:
    """The registry imports the model and the message templates only (both leaves); the
    check library is loaded by attt.library."""

    graph = import_graph()
    assert graph["attt.registry"] <= {"attt.model", "attt.messages"}
    assert graph["attt.messages"] <= {"attt.i18n"}
    assert graph["attt.model"] <= {"attt.messages", "attt.particulars"}
    assert "attt.network.checks" in graph["attt.library"]


def test_renderers_read_the_document_only() -> None:
    """Renderers depend on the results document, not on transports or the engine."""

    graph = import_graph()
    for mod, deps in graph.items():
        if mod.startswith("attt.render"):
            bad = sorted(d for d in deps if d.startswith(("attt.transport", "attt.runner",
                                                          "attt.scan", "attt.network",
                                                          "attt.collect")))
            assert not bad, f"{mod} imports {', '.join(bad)}"


def test_the_graph_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "attt"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("from .. import a\n")
    graph = import_graph(pkg)
    assert graph["attt.a"] == {"attt.sub.b"}
    assert graph["attt.sub.b"] == {"attt.a"}
    assert find_cycles(graph) == [["attt.a", "attt.sub.b", "attt.a"]]
