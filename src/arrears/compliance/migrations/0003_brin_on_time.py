"""Block-range indexes on the time of the append-only contact ledger and stored gate answers,
so an export of a period (``arrears audit export --what contacts|gate-checks``) reads only that
period's blocks. PostgreSQL only: a BRIN index is a few pages for millions of rows appended in
time order; SQLite has no such index and its tables are small."""

from django.db import migrations

INDEXES = (
    ("compliance_contactattempt_at_brin", "compliance_contactattempt", "at"),
    ("compliance_gatecheck_at_brin", "compliance_gatecheck", "at"),
)


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table, column in INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING brin ({column})", params=None)


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _table, _column in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_default_packs_and_words")]

    operations = [migrations.RunPython(indexes_create, indexes_drop)]
