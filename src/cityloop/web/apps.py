from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "cityloop.web"
    label = "web"
    verbose_name = "页面"

    def ready(self) -> None:
        # Connects the failed-login counter before any request can fail a login.
        from cityloop.web import login  # noqa: F401
