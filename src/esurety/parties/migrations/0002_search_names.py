"""Names as searches compare them (ﾄｸｼﾏ finds トクシマ): a column each, filled for existing rows."""

from django.db import migrations

import esurety.core.fields


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name in ("Contractor", "Orderer"):
        model = apps.get_model("parties", name)
        esurety.core.fields.search_column_refill(model, source="name", column="search_name")


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="contractor",
            name="search_name",
            field=esurety.core.fields.SearchTextField(source="name", verbose_name="商号又は名称（検索用）"),
        ),
        migrations.AddField(
            model_name="orderer",
            name="search_name",
            field=esurety.core.fields.SearchTextField(source="name", verbose_name="発注者名（検索用）"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
