"""Input limits taken from the database columns, so a form or API field can never accept
more than its column holds (PostgreSQL refuses an over-long value with a 500; SQLite would
store it silently)."""

from __future__ import annotations

from typing import Any

from django.db import models


def column(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def max_length(model: type[models.Model], name: str) -> int | None:
    """The column's limit in characters, or None for unlimited text."""
    return column(model, name).max_length


def label(model: type[models.Model], name: str) -> str:
    """The field's name in the user's language (its verbose_name)."""
    return str(column(model, name).verbose_name)
