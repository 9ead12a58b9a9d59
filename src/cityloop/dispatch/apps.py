from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "cityloop.dispatch"
    label = "dispatch"
    verbose_name = "按责派单"
