from django.apps import AppConfig


class ClassifyConfig(AppConfig):
    name = "cityloop.classify"
    label = "classify"
    verbose_name = "智能分类"
