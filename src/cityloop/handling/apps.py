from django.apps import AppConfig


class HandlingConfig(AppConfig):
    name = "cityloop.handling"
    label = "handling"
    verbose_name = "办理"
