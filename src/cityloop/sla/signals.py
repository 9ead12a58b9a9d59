from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cityloop.sla.calendar import forget_cached_calendar
from cityloop.sla.models import WorkCalendarDay


@receiver([post_save, post_delete], sender=WorkCalendarDay)
def _calendar_changed(**_: Any) -> None:
    forget_cached_calendar()
