from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "cityloop.kernel"
    # The label stays "core": the cache table's migration was recorded under it.
    label = "core"
    verbose_name = "内核"
