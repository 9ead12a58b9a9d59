"""Liveness and readiness for the load balancer and systemd: no login, no personal data.

/healthz says the process answers (no database). /readyz says this process can serve:
the database answers a trivial query, every migration this code knows is applied, and the
job queue's broker table can be read. The migration graph is read from disk once per
process (it imports every migration module); once all are found applied the answer is
kept, since a running process's code does not change under it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

_known_migrations: list[tuple[tuple[str, str], list[tuple[str, str]]]] | None = None
_migrations_applied = False


@csrf_exempt
@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _migration_nodes() -> list[tuple[tuple[str, str], list[tuple[str, str]]]]:
    """Every migration of the code, with the migrations it replaces (a squashed one counts
    as applied when those are)."""
    global _known_migrations
    if _known_migrations is None:
        graph = MigrationLoader(None, ignore_no_migrations=True).graph
        _known_migrations = [
            (key, list(getattr(graph.nodes[key], "replaces", []) or [])) for key in graph.nodes
        ]
    return _known_migrations


def _migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    applied = set(MigrationRecorder(connection).applied_migrations())
    missing = [
        key
        for key, replaced in _migration_nodes()
        if key not in applied and not (replaced and all(r in applied for r in replaced))
    ]
    if missing:
        raise NotReady(f"{len(missing)} migrations not applied")
    _migrations_applied = True


def _queue() -> None:
    from django_q.models import OrmQ

    OrmQ.objects.order_by().values_list("pk").first()


class NotReady(Exception):
    pass


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "migrations": _migrations,
    "queue": _queue,
}


@csrf_exempt
@require_safe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as failure:
            # The answer names the check and the kind of failure; the detail (which may name
            # a host or a table) goes to the log only.
            logger.warning("readiness check %s failed: %s", name, failure)
            results[name] = "failed: " + type(failure).__name__
            return JsonResponse(
                {"status": "not ready", "failed": name, "checks": results}, status=503
            )
        results[name] = "ok"
    return JsonResponse({"status": "ready", "checks": results})
