from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensorsConfig(AppConfig):
    name = "cityloop.intake.sensors"
    label = "sensors"
    verbose_name = _("城市部件感知")
    default_auto_field = "django.db.models.BigAutoField"
