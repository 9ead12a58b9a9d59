"""Building the demo city so that a crash never leaves half a city behind.

A build takes minutes and writes in many transactions (the city, the incidents, each chunk
of appeals, the model), so it can be killed between any two of them. Instead of making each
step resumable, the build is recorded durably: a `DemoBuild` row is committed before
anything is written and marked finished only after the model is trained. A database whose
latest build is unfinished is cleared and the same build is run again, which gives exactly
what a build on an empty database gives for the same seed.

Clearing empties every table (Django's flush, then the reference data again). It is done
only to a database that a demo build made; a database that holds a city or appeals of its
own is never touched.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management import call_command
from django.db import transaction

from cityloop.bootstrap import seed_reference
from cityloop.demo.generator import Progress, city_exists, generate_demo_city
from cityloop.demo.models import DemoBuild
from cityloop.kernel import clock


class ForeignData(Exception):
    """The database holds data that no demo build made: the demo will not replace it."""


def unfinished_build() -> DemoBuild | None:
    latest = DemoBuild.objects.order_by("-pk").first()
    return latest if latest is not None and latest.finished_at is None else None


def build_demo_city(
    *,
    seed: int,
    appeals: int,
    days: int = 120,
    streets_per_district: int | None = None,
    end: date | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Make this database hold the demo city for these parameters, as a build from an empty
    database would, replacing an earlier demo build (finished or interrupted)."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("a demo build commits as it goes: run it outside a transaction")
    _clear_earlier_demo()
    build = DemoBuild.objects.create(
        seed=seed,
        appeals=appeals,
        days=days,
        streets_per_district=streets_per_district,
        end=end,
        started_at=clock.now(),
    )
    summary = generate_demo_city(
        seed=seed,
        appeals=appeals,
        days=days,
        streets_per_district=streets_per_district,
        end=end,
        progress=progress or _silent,
    )
    summary["alerts"] = first_warnings(end or clock.today())
    build.finished_at = clock.now()
    build.save(update_fields=["finished_at"])
    return summary


def finish_unfinished_build(progress: Progress | None = None) -> dict[str, Any] | None:
    """Run an interrupted build again from the start, with the parameters it was given."""
    build = unfinished_build()
    if build is None:
        return None
    return build_demo_city(
        seed=build.seed,
        appeals=build.appeals,
        days=build.days,
        streets_per_district=build.streets_per_district,
        end=build.end,
        progress=progress,
    )


def first_warnings(last_day: date) -> int:
    """The analytics store and the early warnings the nightly runs would have raised on the
    city's last day and on the last day of each incident the generator injected, so the
    warning board of a new demo city is not empty until its first night."""
    from cityloop.analytics.store import export_store
    from cityloop.demo.models import DemoIncident
    from cityloop.warning.models import Alert
    from cityloop.warning.nightly import run_warnings

    export_store(progress=None)
    nights = set(DemoIncident.objects.values_list("ends_on", flat=True)) | {last_day}
    for night in sorted(nights):
        run_warnings(as_of=night, trigger="demo")
    return Alert.objects.count()


def _silent(done: int, total: int, what: str) -> None:
    return None


def _clear_earlier_demo() -> None:
    if DemoBuild.objects.exists():
        call_command("flush", interactive=False, verbosity=0)
        seed_reference()
    elif city_exists() or _has_appeals():
        raise ForeignData(
            "this database already holds a city or appeals that `cityloop demo` did not "
            "build; nothing was changed. Build the demo city in an empty data directory "
            "(CITYLOOP_DATA_DIR) or database."
        )


def _has_appeals() -> bool:
    from cityloop.appeals.models import Appeal

    return Appeal.objects.exists()
