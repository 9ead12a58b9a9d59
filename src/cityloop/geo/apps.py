from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "cityloop.geo"
    label = "geo"
    verbose_name = "区域与地址"
