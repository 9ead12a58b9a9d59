"""The database cache's table (settings.CACHES), where the throttles count attempts.

A migration, so every path that prepares a database creates it: `cityloop serve`, `seed`,
`demo`, `manage migrate` and the test database."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
