from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "cityloop.notify"
    label = "notify"
    verbose_name = "通知"

    def ready(self) -> None:
        from cityloop.appeals.events import event_recorded
        from cityloop.appeals.selectors import timeline_notes
        from cityloop.notify.outbox import write_messages
        from cityloop.notify.selectors import notices_by_seq

        event_recorded.connect(write_messages, dispatch_uid="cityloop.notify.outbox")
        timeline_notes.connect(notices_by_seq, dispatch_uid="cityloop.notify.timeline")
