from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulkImportConfig(AppConfig):
    name = "cityloop.intake.bulk"
    label = "bulk_import"
    verbose_name = _("批量导入")
