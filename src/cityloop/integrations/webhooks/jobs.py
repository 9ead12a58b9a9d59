"""The worker's part: a run asked for after each commit that wrote deliveries, and a sweep
every minute for what a run did not take (a request lost, a retry come due, a claim run
out). Both only send what is due, so either may run twice."""

from __future__ import annotations

from cityloop.integrations.webhooks.sending import send_pending

SWEEP_EVERY_MINUTES = 1


def send() -> dict[str, int]:
    return send_pending()


def ensure_schedules() -> None:
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="cityloop-webhooks-sweep",
        defaults={
            "func": "cityloop.integrations.webhooks.jobs.send",
            "schedule_type": Schedule.MINUTES,
            "minutes": SWEEP_EVERY_MINUTES,
            "repeats": -1,
        },
    )
