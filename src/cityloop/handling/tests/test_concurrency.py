"""Two people acting on one appeal at the same moment never corrupt it."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection

from cityloop.appeals.enums import Status
from cityloop.appeals.models import Appeal, AppealAssignment
from cityloop.dispatch.services import send_back
from cityloop.handling.services import reply, sign_for
from cityloop.kernel.errors import DomainError


def race(*jobs: Callable[[], object]) -> list[object]:
    """Run the jobs in threads released together; return each result or exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_reply_and_send_back_at_once(city_tx):
    city = city_tx
    for _round in range(5):
        appeal = city.receive(title="t", content="路灯坏了")
        code = appeal.tracking_code
        handler = city.actor("handler1")
        sign_for(code, actor=handler)
        results = race(
            lambda code=code, handler=handler: reply(code, actor=handler, text="已修复"),
            lambda code=code, handler=handler: send_back(
                code, actor=handler, reason="不属本单位职责"
            ),
        )
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1, results
        assert isinstance(errors[0], DomainError) and errors[0].code == "illegal_transition"
        appeal = Appeal.objects.get(tracking_code=code)
        events = list(appeal.events.order_by("seq").values_list("seq", "action", "to_status"))
        assert [seq for seq, _a, _s in events] == [1, 2, 3, 4]
        assert appeal.version == 4 and appeal.status == events[-1][2]
        assert appeal.status in (Status.REPLIED, Status.SENT_BACK)
        main = AppealAssignment.objects.get(appeal=appeal, role="main")
        assert main.status == ("replied" if appeal.status == Status.REPLIED else "sent_back")
        assert bool(appeal.reply_text) == (appeal.status == Status.REPLIED)


def test_two_handlers_replying_at_once_record_one_reply(city_tx):
    city = city_tx
    appeal = city.receive(title="t", content="路灯坏了")
    sign_for(appeal.tracking_code, actor=city.actor("handler1"))
    code, handler = appeal.tracking_code, city.actor("handler1")
    results = race(
        *[
            (lambda text=text: reply(code, actor=handler, text=text))
            for text in ("甲的答复", "乙的答复", "丙的答复")
        ]
    )
    assert sum(isinstance(r, Exception) for r in results) == 2
    appeal = Appeal.objects.get(tracking_code=code)
    assert appeal.events.filter(action="reply").count() == 1
    assert appeal.reply_text == appeal.events.get(action="reply").reason
