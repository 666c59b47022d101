"""Fewer indexes on portfolio_statement, each of which every imported statement pays for: a
plain index on (account, cycle_date) that duplicated the unique constraint's, the account's
own index (the unique one serves it) and, on PostgreSQL, the varchar_pattern_ops twin of the
unique external id (for LIKE searches nothing does on statements)."""

import django.db.models.deletion
from django.db import migrations, models

TABLE, COLUMN = "portfolio_statement", "external_id"


def pattern_twins_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s "
                       "AND indexdef LIKE %s", [TABLE, f"%({COLUMN} varchar_pattern_ops)%"])
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def pattern_twins_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f'CREATE INDEX IF NOT EXISTS "{TABLE}_{COLUMN}_like" '
                       f'ON "{TABLE}" ("{COLUMN}" varchar_pattern_ops)')


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0003_search_keys")]

    operations = [
        migrations.RemoveIndex(model_name="statement", name="portfolio_s_account_238f46_idx"),
        migrations.AlterField(
            model_name="statement",
            name="account",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="statements", to="portfolio.account"),
        ),
        migrations.RunPython(pattern_twins_drop, pattern_twins_create),
    ]
