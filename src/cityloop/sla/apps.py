from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "cityloop.sla"
    label = "sla"
    verbose_name = "时限与工作日历"

    def ready(self) -> None:
        from cityloop.sla import signals  # noqa: F401
