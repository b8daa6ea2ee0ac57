"""Trigram index for 工事名 fragments on PostgreSQL (DESIGN.md: pg_trgm GIN works on Japanese text).

SQLite has no such index; the migration does nothing there.
"""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS guarantee_work_name_trgm ON guarantees_guarantee "
        "USING gin (work_name gin_trgm_ops)"
    )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS guarantee_work_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("guarantees", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
