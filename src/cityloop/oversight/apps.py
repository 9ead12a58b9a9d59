from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "cityloop.oversight"
    label = "oversight"
    verbose_name = "督办"
