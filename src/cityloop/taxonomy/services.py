"""Loading the official taxonomy shipped with the package."""

from __future__ import annotations

import csv
from importlib import resources

from django.db import transaction

from cityloop.taxonomy.models import Category

PATH_SEPARATOR = " › "


def official_taxonomy_rows() -> list[tuple[str, str, str]]:
    text = resources.files("cityloop.taxonomy").joinpath("data/taxonomy.csv").read_text("utf-8")
    reader = csv.reader(text.splitlines())
    next(reader)
    return [(r[0].strip(), r[1].strip(), r[2].strip()) for r in reader if len(r) >= 3 and r[0]]


@transaction.atomic
def load_official_taxonomy() -> int:
    """Create the official categories that are missing; returns how many were created.

    Codes are positional ("03", "03.05", "03.05.12") in the file's order, so they are stable
    for a given taxonomy file and readable in exports.
    """
    existing = {c.path: c for c in Category.objects.all()}
    created = 0
    child_counts: dict[str, int] = {}

    def ensure(names: tuple[str, ...], parent: Category | None) -> Category:
        nonlocal created
        path = PATH_SEPARATOR.join(names)
        if path in existing:
            return existing[path]
        parent_key = parent.code if parent else ""
        if parent_key not in child_counts:
            siblings = Category.objects.filter(parent=parent).count()
            child_counts[parent_key] = siblings
        child_counts[parent_key] += 1
        number = f"{child_counts[parent_key]:02d}"
        code = f"{parent.code}.{number}" if parent else number
        category = Category.objects.create(
            code=code, name=names[-1], level=len(names), parent=parent, path=path
        )
        existing[path] = category
        created += 1
        return category

    for first, second, third in official_taxonomy_rows():
        top = ensure((first,), None)
        middle = ensure((first, second), top)
        if third:
            ensure((first, second, third), middle)
    return created


def category_by_path(*names: str) -> Category:
    return Category.objects.get(path=PATH_SEPARATOR.join(names))


def leaf_choices() -> list[tuple[str, str]]:
    """(code, path) of every active third-level category: what a call-taker may pick."""
    leaves = Category.objects.filter(level=3, is_active=True).order_by("code")
    return list(leaves.values_list("code", "path"))
