"""appeals.integrity and `cityloop check`: appeals written through the services in every
kind of life pass; each invariant, broken on purpose in the database, is reported."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F

from cityloop import cli
from cityloop.access.actors import Actor
from cityloop.appeals.enums import Status
from cityloop.appeals.integrity import check_integrity
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.evaluate.services import record_callback
from cityloop.handling.services import close, merge, reply, sign_for
from cityloop.kernel import clock
from cityloop.oversight.services import scan_deadlines


def many_lives(city) -> dict[str, Appeal]:
    """Appeals received, dispatched, replied, reopened, closed, merged, answered on the
    call and marked overdue by the scan — each through the services."""
    handler = city.actor("handler1")
    waiting = city.receive(auto_dispatch=False)
    dispatched = city.receive()
    replied = city.receive()
    sign_for(replied.tracking_code, actor=handler)
    reply(replied.tracking_code, actor=handler, text="已修复路灯")
    reopened = city.replied(text="已修复路灯")
    record_callback(
        reopened.tracking_code,
        actor=Actor.citizen(),
        contacted=True,
        resolved=False,
        satisfaction="dissatisfied",
        reopen_if_unresolved=True,
    )
    closed = city.replied(text="已修复路灯")
    record_callback(
        closed.tracking_code,
        actor=Actor.citizen(),
        contacted=True,
        resolved=True,
        satisfaction="satisfied",
    )
    close(closed.tracking_code, actor=city.actor("supervisor"))
    duplicate = city.receive()
    merge(
        duplicate.tracking_code,
        into_code=dispatched.tracking_code,
        actor=city.actor("dispatcher"),
        reason="重复反映",
    )
    answered = city.receive(appeal_type="consultation", answer="已当场解答：路灯由街道负责维修")
    overdue = city.receive()
    scan_deadlines(now=clock.now() + timedelta(days=60))
    lives = dict(
        waiting=waiting,
        dispatched=dispatched,
        replied=replied,
        reopened=reopened,
        closed=closed,
        duplicate=duplicate,
        answered=answered,
        overdue=overdue,
    )
    for appeal in lives.values():
        appeal.refresh_from_db()
    return lives


def test_appeals_written_through_the_services_are_consistent(city):
    lives = many_lives(city)
    statuses = {name: appeal.status for name, appeal in lives.items()}
    assert statuses == {
        "waiting": Status.RECEIVED,
        "dispatched": Status.DISPATCHED,
        "replied": Status.REPLIED,
        "reopened": Status.DISPATCHED,
        "closed": Status.CLOSED,
        "duplicate": Status.MERGED,
        "answered": Status.CLOSED,
        "overdue": Status.DISPATCHED,
    }
    assert lives["overdue"].events.filter(action="mark_overdue").count() == 1
    assert lives["reopened"].events.filter(action="reopen").count() == 1
    assert check_integrity() == []


@pytest.mark.parametrize(
    ("name", "corrupt", "rule"),
    [
        # a lost event: the seq has a gap
        ("replied", lambda a: a.events.filter(seq=2).delete(), "seq"),
        # a change applied twice: two events with one seq cannot be written (unique), so a
        # second event past the version
        (
            "dispatched",
            lambda a: AppealEvent.objects.create(
                appeal=a,
                seq=a.version + 1,
                action="sign_for",
                at=clock.now(),
                actor_name="x",
                from_status=Status.DISPATCHED,
                to_status=Status.SIGNED,
            ),
            "seq",
        ),
        # the version bumped without an event
        (
            "waiting",
            lambda a: Appeal.objects.filter(pk=a.pk).update(version=F("version") + 1),
            "seq",
        ),
        # the status changed behind the record's back
        (
            "replied",
            lambda a: Appeal.objects.filter(pk=a.pk).update(status=Status.SIGNED),
            "status",
        ),
        # an event that does not start where the previous one ended
        (
            "replied",
            lambda a: a.events.filter(seq=3).update(from_status=Status.RECEIVED),
            "chain",
        ),
        ("waiting", lambda a: a.events.filter(seq=1).update(from_status=Status.SENT_BACK), "chain"),
        ("closed", lambda a: Appeal.objects.filter(pk=a.pk).update(closed_at=None), "closed_at"),
        (
            "replied",
            lambda a: Appeal.objects.filter(pk=a.pk).update(closed_at=clock.now()),
            "closed_at",
        ),
        (
            "waiting",
            lambda a: Appeal.objects.filter(pk=a.pk).update(dispatched_at=clock.now()),
            "dispatched_at",
        ),
        (
            "replied",
            lambda a: Appeal.objects.filter(pk=a.pk).update(dispatched_at=None),
            "dispatched_at",
        ),
        (
            "duplicate",
            lambda a: Appeal.objects.filter(pk=a.pk).update(merged_into=None),
            "merged_into",
        ),
        ("overdue", lambda a: a.events.all().delete(), "events"),
    ],
)
def test_each_broken_invariant_is_reported_for_that_appeal(city, name, corrupt, rule):
    lives = many_lives(city)
    target = lives[name]
    corrupt(target)
    problems = check_integrity()
    assert (target.tracking_code, rule) in [(p.tracking_code, p.rule) for p in problems]
    assert {p.tracking_code for p in problems} == {target.tracking_code}, problems


def test_cityloop_check_says_consistent_or_lists_the_problems(city, capsys):
    lives = many_lives(city)
    events = AppealEvent.objects.count()
    cli.main(["check"])
    assert capsys.readouterr().out.strip() == f"{len(lives)} appeals, {events} events: consistent"

    target = lives["replied"]
    Appeal.objects.filter(pk=target.pk).update(status=Status.SIGNED)
    with pytest.raises(SystemExit) as failed:
        cli.main(["check"])
    assert failed.value.code == 1
    output = capsys.readouterr()
    assert output.out.splitlines() == [
        f"{target.tracking_code}: status: last event reply ends in 'replied', appeal is 'signed'"
    ]
    assert "1 problems in 1 appeals" in output.err
