from django.apps import AppConfig


class ProactiveConfig(AppConfig):
    name = "cityloop.proactive"
    label = "proactive"
    verbose_name = "未诉先办"
