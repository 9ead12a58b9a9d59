from django.apps import AppConfig


class EvaluateConfig(AppConfig):
    name = "cityloop.evaluate"
    label = "evaluate"
    verbose_name = "评价与考核"
