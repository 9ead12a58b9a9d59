from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """Outside systems: Open311 and the administration of their keys (admin.py)."""

    name = "cityloop.integrations"
    verbose_name = _("外部系统接入")
