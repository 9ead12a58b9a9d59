"""Extension requests and supervision orders now belong to `oversight`, attachments to
`handling` (docs/decisions/0005-stage-folders.md). Only Django's idea of which app owns them
changes here; the tables stay as they are and the new apps take them over by name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("appeals", "0006_public_text")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("ExtensionRequest"),
                migrations.DeleteModel("SupervisionOrder"),
                migrations.DeleteModel("Attachment"),
            ],
            database_operations=[],
        )
    ]
