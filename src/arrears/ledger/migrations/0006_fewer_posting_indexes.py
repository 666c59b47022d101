"""Fewer indexes on ledger_posting, each of which every imported posting pays for: the
account's own index (the index on account and posting date serves the same lookups) and, on
PostgreSQL, the varchar_pattern_ops twin Django adds to the unique external id for LIKE
searches, which nothing does on postings (lookups are by the exact id)."""

import django.db.models.deletion
from django.db import migrations, models

TABLE, COLUMN = "ledger_posting", "external_id"


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
    dependencies = [
        ("ledger", "0005_cyclerun_accounts_through"),
        ("portfolio", "0004_fewer_statement_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="posting",
            name="account",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="postings", to="portfolio.account"),
        ),
        migrations.RunPython(pattern_twins_drop, pattern_twins_create),
    ]
