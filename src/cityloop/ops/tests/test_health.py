"""/healthz and /readyz: open to anyone, no personal data, the failing check named."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from cityloop.ops import health


@pytest.fixture(autouse=True)
def _fresh_readiness(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def test_healthz_answers_without_login_or_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        answer = Client().get("/healthz")
    assert answer.status_code == 200
    assert answer.content == b"ok"


def test_readyz_is_ready_when_every_check_passes(db):
    answer = Client().get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "queue": "ok"},
    }


def test_readyz_reads_the_migration_graph_once_and_keeps_a_ready_answer(db, monkeypatch):
    assert Client().get("/readyz").status_code == 200
    monkeypatch.setattr(health, "MigrationLoader", None)  # would fail if read again
    monkeypatch.setattr(health, "MigrationRecorder", None)
    assert Client().get("/readyz").status_code == 200


def test_readyz_names_an_unapplied_migration(db, monkeypatch):
    known = [*health._migration_nodes(), (("appeals", "9999_not_yet"), [])]
    monkeypatch.setattr(health, "_known_migrations", known)
    answer = Client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["failed"] == "migrations"
    assert answer.json()["checks"] == {"database": "ok", "migrations": "failed: NotReady"}


def test_a_squashed_migration_counts_as_applied_when_what_it_replaces_is(db, monkeypatch):
    replaced = [key for key, _ in health._migration_nodes()[:2]]
    known = [*health._migration_nodes(), (("appeals", "0001_squashed"), replaced)]
    monkeypatch.setattr(health, "_known_migrations", known)
    assert Client().get("/readyz").status_code == 200


def test_readyz_says_when_the_database_does_not_answer(db, monkeypatch):
    def refuse() -> None:
        raise OperationalError("connection to server at 10.0.0.5 refused")

    monkeypatch.setitem(health.CHECKS, "database", refuse)
    answer = Client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "not ready",
        "failed": "database",
        "checks": {"database": "failed: OperationalError"},
    }
    assert b"10.0.0.5" not in answer.content, "the detail goes to the log only"


def test_readyz_says_when_the_queue_table_is_missing(db, monkeypatch):
    from django_q.models import OrmQ

    monkeypatch.setattr(OrmQ._meta, "db_table", "no_such_table")
    answer = Client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["failed"] == "queue"


def test_probes_need_no_csrf_token_and_refuse_writes(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/readyz").status_code == 405
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200
