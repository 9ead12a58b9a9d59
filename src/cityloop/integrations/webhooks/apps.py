from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "cityloop.integrations.webhooks"
    label = "webhooks"
    verbose_name = _("事件推送")

    def ready(self) -> None:
        from cityloop.appeals.events import event_recorded
        from cityloop.integrations.webhooks.outbox import write_deliveries

        event_recorded.connect(write_deliveries, dispatch_uid="cityloop.webhooks.outbox")
