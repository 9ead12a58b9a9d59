"""Pages hold no queries (issue 12): a module of web/ parses the request, calls one service
or selector of its stage and renders. Read with `ast` from the source, so a query slipped
back into a page fails here before it reaches a review.

Forbidden outside `if TYPE_CHECKING:`: a manager or queryset method as an attribute
(`.objects`, `.filter(...)`, `.select_related(...)`…), django.db imports (transactions,
expressions), get_object_or_404, and importing a model class (enums from a models module,
such as Role or AreaLevel, are plain values and allowed)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from django.db import models

import cityloop.web

WEB = Path(cityloop.web.__file__).parent

QUERY_ATTRIBUTES = {
    "objects",
    "select_related",
    "prefetch_related",
    "select_for_update",
    "annotate",
    "aggregate",
    "values_list",
    "filter",
    "exclude",
    "order_by",
    "raw",
    "extra",
    "get_or_create",
    "update_or_create",
    "bulk_create",
}
QUERY_HELPERS = {("django.shortcuts", "get_object_or_404"), ("django.shortcuts", "get_list_or_404")}


def _runtime_nodes(tree: ast.Module) -> list[ast.AST]:
    """Every node except those under `if TYPE_CHECKING:` (imports for type hints only)."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    return [node for node in ast.walk(tree) if id(node) not in hidden]


def _is_model(module: str, name: str) -> bool:
    value = getattr(importlib.import_module(module), name, None)
    return isinstance(value, type) and issubclass(value, models.Model)


def _is_template_filter(node: ast.AST) -> bool:
    """`register.filter`, the template library's decorator, is no queryset."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "register"
    )


def queries_in(source: str) -> list[str]:
    """What in this module's source reaches the database itself, one line per finding."""
    found = []
    for node in _runtime_nodes(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if _is_template_filter(node):
            continue
        if isinstance(node, ast.Attribute) and node.attr in QUERY_ATTRIBUTES:
            found.append(f"line {line}: .{node.attr}")
        elif isinstance(node, ast.Import):
            found += [f"line {line}: import {a.name}" for a in node.names if a.name == "django.db"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                helper = (node.module, alias.name) in QUERY_HELPERS
                if node.module.startswith("django.db") or helper:
                    found.append(f"line {line}: from {node.module} import {alias.name}")
                elif node.module.endswith(".models") and _is_model(node.module, alias.name):
                    found.append(f"line {line}: model {alias.name} from {node.module}")
    return found


def test_no_web_module_queries_the_database():
    findings = {
        str(path.relative_to(WEB)): found
        for path in sorted(WEB.rglob("*.py"))
        if "tests" not in path.relative_to(WEB).parts
        and (found := queries_in(path.read_text(encoding="utf-8")))
    }
    assert findings == {}, "pages call a selector or a service; move these into the stage"


def test_the_check_sees_each_kind_of_query():
    page = """
from typing import TYPE_CHECKING
from django.db import transaction
from django.shortcuts import get_object_or_404
from cityloop.appeals.models import Appeal
from cityloop.org.models import Role
if TYPE_CHECKING:
    from cityloop.org.models import Unit
def view(appeal):
    units = Unit.objects.all()
    return appeal.events.filter(kind="x").select_related("actor_unit"), Role.ADMIN
"""
    assert [f.split(": ", 1)[1] for f in queries_in(page)] == [
        "from django.db import transaction",
        "from django.shortcuts import get_object_or_404",
        "model Appeal from cityloop.appeals.models",
        ".objects",
        ".select_related",
        ".filter",
    ]
