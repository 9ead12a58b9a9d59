"""The store's tables: their columns and types, defined once for the writer and the reader.

Times are UTC instants stored as naive TIMESTAMPs (DuckDB needs no time-zone extension to
read them); every day and month is the city's local one (Asia/Shanghai, kernel.clock),
computed at export. Each file holds its partition's month as a column as well, so a file
read on its own is complete. No caller's name, phone or id number is ever exported; the text
is the masked public version of the title and content.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    name: str
    # the directory key of the partitions: appeals by their month; callbacks and events by
    # the month of the appeal they belong to, so one appeal's rows move together
    partition_key: str
    columns: tuple[tuple[str, str], ...]

    @property
    def column_names(self) -> list[str]:
        return [name for name, _type in self.columns]

    @property
    def select_list(self) -> str:
        """The columns, quoted (`at` is a keyword in DuckDB's SQL)."""
        return ", ".join(f'"{name}"' for name, _type in self.columns)

    def ddl(self, relation: str) -> str:
        body = ", ".join(f'"{name}" {kind}' for name, kind in self.columns)
        return f"CREATE OR REPLACE TEMP TABLE {relation} ({body})"


APPEALS = Table(
    "appeals",
    "month",
    (
        ("id", "BIGINT"),
        ("tracking_code", "VARCHAR"),
        ("received_at", "TIMESTAMP"),
        ("received_day", "DATE"),
        ("month", "VARCHAR"),
        ("channel", "VARCHAR"),
        ("status", "VARCHAR"),
        ("appeal_type", "VARCHAR"),
        ("outcome", "VARCHAR"),
        ("urgency", "VARCHAR"),
        ("category_id", "BIGINT"),
        ("category_l2_id", "BIGINT"),
        ("category_l1_id", "BIGINT"),
        ("district_id", "BIGINT"),
        ("street_id", "BIGINT"),
        ("grid_id", "BIGINT"),
        ("main_unit_id", "BIGINT"),
        ("lat", "DOUBLE"),
        ("lng", "DOUBLE"),
        ("replied_at", "TIMESTAMP"),
        ("closed_at", "TIMESTAMP"),
        ("version", "INTEGER"),
        ("title", "VARCHAR"),
        ("content", "VARCHAR"),
    ),
)

CALLBACKS = Table(
    "callbacks",
    "appeal_month",
    (
        ("id", "BIGINT"),
        ("appeal_id", "BIGINT"),
        ("unit_id", "BIGINT"),
        ("at", "TIMESTAMP"),
        ("day", "DATE"),
        # the local month the callback was made in: the month it is assessed in
        ("month", "VARCHAR"),
        ("appeal_month", "VARCHAR"),
        ("is_valid", "BOOLEAN"),
        ("is_latest", "BOOLEAN"),
        ("contacted", "BOOLEAN"),
        ("resolved", "BOOLEAN"),
        ("satisfaction", "VARCHAR"),
        ("appeal_type", "VARCHAR"),
        # an approved 剔除 takes the appeal out of the assessment
        ("excluded", "BOOLEAN"),
    ),
)

EVENTS = Table(
    "events",
    "appeal_month",
    (
        ("id", "BIGINT"),
        ("appeal_id", "BIGINT"),
        ("seq", "INTEGER"),
        ("action", "VARCHAR"),
        ("at", "TIMESTAMP"),
        ("day", "DATE"),
        ("appeal_month", "VARCHAR"),
        ("from_status", "VARCHAR"),
        ("to_status", "VARCHAR"),
        ("unit_id", "BIGINT"),
    ),
)

TABLES = (APPEALS, CALLBACKS, EVENTS)
