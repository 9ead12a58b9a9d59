from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "cityloop.integrations.webhooks"
    label = "webhooks"
    verbose_name = "事件推送"

    def ready(self) -> None:
        from cityloop.appeals.events import event_recorded
        from cityloop.integrations.webhooks.outbox import write_deliveries

        event_recorded.connect(write_deliveries, dispatch_uid="cityloop.webhooks.outbox")
