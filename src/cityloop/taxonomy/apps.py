from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "cityloop.taxonomy"
    label = "taxonomy"
    verbose_name = "诉求分类"
