from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "cityloop.appeals"
    label = "appeals"
    verbose_name = "诉求"
