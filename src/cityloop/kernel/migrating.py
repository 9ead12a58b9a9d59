"""Helpers for migrations that hand a model from one app to another while its table stays."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def hand_over_content_types(old_label: str, new_label: str, *models: str) -> Any:
    """Relabel the models' content types, so the permissions groups were given on them (and
    admin log entries) follow the model into its new app instead of being orphaned."""

    def forward(apps: Any, schema_editor: Any) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not content_type.objects.filter(app_label=new_label, model=model).exists():
                content_type.objects.filter(app_label=old_label, model=model).update(
                    app_label=new_label
                )

    def backward(apps: Any, schema_editor: Any) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        content_type.objects.filter(app_label=new_label, model__in=models).update(
            app_label=old_label
        )

    return migrations.RunPython(forward, backward)
