from django.apps import AppConfig


class WarningConfig(AppConfig):
    name = "cityloop.warning"
    label = "warning"
    verbose_name = "预警"
