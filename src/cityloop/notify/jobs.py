"""The worker's part: a drain asked for after each commit that wrote messages, and a sweep
every minute for whatever a drain did not take (a request lost, a retry come due, a claim
run out). Both only send what is due, so either may run twice."""

from __future__ import annotations

from cityloop.notify.sending import send_pending

SWEEP_EVERY_MINUTES = 1


def drain() -> dict[str, int]:
    return send_pending()


def ensure_schedules() -> None:
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="cityloop-notify-sweep",
        defaults={
            "func": "cityloop.notify.jobs.drain",
            "schedule_type": Schedule.MINUTES,
            "minutes": SWEEP_EVERY_MINUTES,
            "repeats": -1,
        },
    )
