"""Run inside `cityloop manage shell` against the private database: the tiny test city
(call-taker, street-office handlers, dispatch rules), API tokens, and the appeals the
deadline-scan and transition scenarios start from. Prints one JSON line for the test."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import transaction

from cityloop.appeals.models import Appeal, AppealAssignment, AppealEvent
from cityloop.org.models import ApiToken
from cityloop.testing import build_tiny_city

STREET_LIGHTS = ("城乡建设", "城市建设和市政管理", "城市公共设施")


def copies(template: Appeal, prefix: str, count: int) -> list[str]:
    """`count` copies of a dispatched appeal — row, events and assignment — under codes
    of their own: the same state the services left the template in, at a fraction of the
    cost of receiving each (setup time, not what the test is about)."""
    events = list(template.events.order_by("seq"))
    assignments = list(template.assignments.all())
    appeals = []
    template = Appeal.objects.get(pk=template.pk)
    for number in range(count):
        copy = Appeal(**_fields(template))
        copy.tracking_code = f"{prefix}{number:06d}"
        copy.content = f"{template.content} {number}"
        appeals.append(copy)
    Appeal.objects.bulk_create(appeals)
    made = {appeal.tracking_code: appeal for appeal in appeals}
    if made and next(iter(made.values())).pk is None:  # a backend without RETURNING ids
        made = {a.tracking_code: a for a in Appeal.objects.filter(tracking_code__in=made)}
    new_events, new_assignments = [], []
    for appeal in made.values():
        for event in events:
            event.pk, event.appeal_id = None, appeal.pk
            new_events.append(AppealEvent(**_fields(event)))
        for assignment in assignments:
            assignment.pk, assignment.appeal_id = None, appeal.pk
            new_assignments.append(AppealAssignment(**_fields(assignment)))
    AppealEvent.objects.bulk_create(new_events)
    AppealAssignment.objects.bulk_create(new_assignments)
    return list(made)


def _fields(row: object) -> dict[str, object]:
    return {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields  # type: ignore[attr-defined]
        if not f.primary_key
    }


def build(overdue: int, to_handle: int) -> None:
    # the users log in with tokens: their passwords need not cost a second each
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with transaction.atomic():
        city = build_tiny_city()
        template = city.receive(content="光华路1号院门口的路灯坏了")
        overdue_codes = copies(template, "FO", overdue)
        handle_codes = copies(template, "FH", to_handle)
    print(
        json.dumps(
            {
                "calltaker": ApiToken.issue(city.users["calltaker"], "faults"),
                "handler": ApiToken.issue(city.users["handler1"], "faults"),
                "handler_again": ApiToken.issue(city.users["handler1"], "faults, second client"),
                "overdue": overdue_codes,
                "to_handle": handle_codes,
                "address_code": city.addresses[0].code,
                "category_code": city.category(*STREET_LIGHTS).code,
            }
        )
    )
