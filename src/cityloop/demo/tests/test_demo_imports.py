"""The demo's modules import one another one way (build → generator → history → lifecycle →
rhythm, texts...), lazy imports inside functions included: no circle."""

from __future__ import annotations

import ast
from pathlib import Path

import cityloop.demo

DEMO = Path(cityloop.demo.__file__).parent


def _imported_demo_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "cityloop.demo":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("cityloop.demo."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found |= {
                a.name.split(".")[2] for a in node.names if a.name.startswith("cityloop.demo.")
            }
    return found


def test_no_circle_between_the_demo_modules():
    graph = {p.stem: _imported_demo_modules(p) for p in DEMO.glob("*.py")}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, "circle: " + " → ".join([*path, module])
        if module in done:
            return
        for imported in sorted(graph.get(module, set())):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
