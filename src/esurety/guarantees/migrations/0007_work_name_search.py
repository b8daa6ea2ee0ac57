"""工事名 as searches compare it (ﾄﾝﾈﾙ finds トンネル, ＡＢＣ finds ABC), with the indexes moved onto it.

The column is filled here for existing rows (in batches, in Python: NFKC as the
application computes it). On PostgreSQL the trigram index moves from work_name
to work_name_search, and the contractor list's covering index carries the
search column instead of the name. Filled before the indexes are built, so
the rewrite does not maintain them row by row.
"""

from django.db import migrations, models

import esurety.core.fields


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    model = apps.get_model("guarantees", "Guarantee")
    esurety.core.fields.search_column_refill(model, source="work_name", column="work_name_search")


def trigram_forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS guarantee_work_name_search_trgm ON guarantees_guarantee "
        "USING gin (work_name_search gin_trgm_ops)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS guarantee_work_name_trgm")


def trigram_backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS guarantee_work_name_trgm ON guarantees_guarantee "
        "USING gin (work_name gin_trgm_ops)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS guarantee_work_name_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("guarantees", "0006_import_batch"),
        ("parties", "0002_search_names"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="guarantee",
            name="guarantee_contractor_list",
        ),
        migrations.AddField(
            model_name="guarantee",
            name="work_name_search",
            field=esurety.core.fields.SearchTextField(source="work_name", verbose_name="工事名（検索用）"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="guarantee",
            index=models.Index(
                fields=["contractor", "-latest_issued_on", "-number"],
                include=("id", "orderer", "work_name_search"),
                name="guarantee_contractor_list",
            ),
        ),
        migrations.RunPython(trigram_forwards, trigram_backwards),
    ]
