"""Fast inserts for generated history: one executemany per table, values adapted by each
field once, primary keys assigned by the writer. The ORM's bulk_create spends most of its
time preparing values one expression at a time, which matters at a million appeals."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, connections, models


def next_id(model: type[models.Model]) -> int:
    latest = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(latest or 0) + 1


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Insert dict rows keyed by attribute name (`appeal_id`, not `appeal`); missing
    attributes take the field's default."""
    fields = list(model._meta.concrete_fields)
    adapters = [_adapter(field, connections["default"]) for field in fields]
    defaults = [f.get_default() for f in fields]
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(str(model._meta.db_table))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    values: list[Sequence[Any]] = []
    for row in rows:
        values.append(
            [
                adapt(row.get(name, default))
                for name, default, adapt in zip(names, defaults, adapters, strict=True)
            ]
        )
    if values:
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)
    return len(values)


def _identity(value: Any) -> Any:
    return value


def _adapter(field: models.Field[Any, Any], db: Any) -> Callable[[Any], Any]:
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return db.ops.adapt_datetimefield_value  # type: ignore[no-any-return]
    if kind == "DateField":
        return db.ops.adapt_datefield_value  # type: ignore[no-any-return]
    if kind == "JSONField":
        return lambda value: field.get_db_prep_save(value, db)
    return _identity


def reset_sequences(*model_list: type[models.Model]) -> None:
    """After explicit primary keys, PostgreSQL's sequences must move past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
