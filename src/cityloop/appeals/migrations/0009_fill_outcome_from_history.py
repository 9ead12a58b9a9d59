"""Outcome for the appeals closed before the field existed, read from their events by the
same rule the close step uses (appeals.outcomes). Their type is 求助 (the field's default)."""

from django.db import migrations

from cityloop.appeals.outcomes import outcome_from_history


def fill_outcomes(apps, schema_editor):
    Appeal = apps.get_model("appeals", "Appeal")
    AppealEvent = apps.get_model("appeals", "AppealEvent")
    closed = Appeal.objects.filter(status="closed", outcome="")
    for appeal in closed.only("pk", "appeal_type").iterator(chunk_size=2000):
        steps = list(
            AppealEvent.objects.filter(appeal_id=appeal.pk)
            .order_by("seq")
            .values_list("action", "changes")
        )
        appeal.outcome = outcome_from_history(steps, appeal.appeal_type)
        appeal.save(update_fields=["outcome"])


class Migration(migrations.Migration):
    dependencies = [("appeals", "0008_appeal_type_outcome_reply_review")]

    operations = [migrations.RunPython(fill_outcomes, migrations.RunPython.noop)]
