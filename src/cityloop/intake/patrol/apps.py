from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolConfig(AppConfig):
    name = "cityloop.intake.patrol"
    label = "patrol"
    verbose_name = _("网格巡查")
