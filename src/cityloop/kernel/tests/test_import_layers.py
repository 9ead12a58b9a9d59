"""Imports flow one way through the package (docs/architecture.md): kernel → base data → the
record → the stages of the loop → assessment → analytics → early warning → proactive
work → pages, API wiring, demo and command line.

Read with `ast` from the source, lazy imports inside functions included: a module may import
its own layer or a lower one, never a higher one, and no two packages import each other,
directly or round a circle."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import cityloop

ROOT = Path(cityloop.__file__).parent

LAYERS: list[tuple[str, set[str]]] = [
    ("kernel", {"kernel"}),
    ("base data", {"geo", "org", "taxonomy", "sla", "classify"}),
    ("access", {"access"}),
    ("record", {"appeals"}),
    ("stages", {"intake", "dispatch", "handling", "oversight", "evaluate", "notify"}),
    ("assessment", {"assessment"}),
    ("analytics store", {"analytics"}),
    ("early warning", {"warning"}),
    ("proactive work", {"proactive"}),
    ("outside systems", {"integrations"}),
    (
        "pages, wiring, demo",
        {
            "web",
            "demo",
            "api",
            "urls",
            "cli",
            "cli_classify",
            "cli_warning",
            "cli_proactive",
            "cli_analytics",
            "cli_sensors",
            "cli_import",
            "cli_backup",
            "cli_partitions",
            "cli_check",
            "bootstrap",
            "ops",
            "backup",
        }
        | {"testing"}
        | {"worker", "wsgi", "settings", "__main__"},
    ),
]
LAYER_OF = {package: rank for rank, (_, packages) in enumerate(LAYERS) for package in packages}

# Upward imports not yet removed (issue 12): each one named, so the list can only shrink —
# an entry that no longer occurs fails the test too, to be struck off.
KNOWN_UPWARD: set[tuple[str, str]] = set()


def _imports() -> dict[tuple[str, str], str]:
    """(importing module, imported package) → the importing package, for every import of
    another cityloop package outside tests and migrations."""
    found: dict[tuple[str, str], str] = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        package = parts[0].removesuffix(".py")
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("cityloop.") and name.split(".")[1] != package:
                    found[(module, name.split(".")[1])] = package
    return found


def test_every_package_has_a_layer():
    packages = {p.name.removesuffix(".py") for p in ROOT.iterdir() if p.name != "__init__.py"}
    # a package has an __init__.py: data folders (locale, a stray .cityloop data dir) are not
    packages = {
        p for p in packages if (ROOT / p / "__init__.py").is_file() or (ROOT / f"{p}.py").is_file()
    }
    assert packages - LAYER_OF.keys() == set(), "a new package: give it a layer"


def test_no_module_imports_a_higher_layer():
    upward = {
        (module, imported)
        for (module, imported), package in _imports().items()
        if LAYER_OF[imported] > LAYER_OF[package]
    }
    assert upward - KNOWN_UPWARD == set(), "imports against the layer order"
    assert KNOWN_UPWARD - upward == set(), "fixed: strike these off KNOWN_UPWARD"


def test_no_circle_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for (module, imported), package in _imports().items():
        if (module, imported) not in KNOWN_UPWARD:
            graph[package].add(imported)
    done: set[str] = set()

    def visit(package: str, path: list[str]) -> None:
        assert package not in path, "circle: " + " → ".join([*path, package])
        if package in done:
            return
        for imported in sorted(graph[package]):
            visit(imported, [*path, package])
        done.add(package)

    for package in sorted(graph):
        visit(package, [])


def test_no_package_imports_another_packages_private_names():
    private = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "migrations" in parts:
            continue
        package = parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("cityloop.")
                and node.module.split(".")[1] != package
            ):
                private += [f"{node.module}.{a.name}" for a in node.names if a.name[0] == "_"]
    assert private == [], "call a public function of the other package"
