"""Operations that more than one app's migrations use."""

from django.db import migrations


def pattern_twin_drop(table: str, column: str) -> migrations.RunPython:
    """Drop the ``varchar_pattern_ops`` twin PostgreSQL gets for a unique or indexed text
    column (Django adds it for LIKE searches); reversed by creating it again. Every row
    written pays for each index, so a twin nothing searches with LIKE is only a cost."""

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s "
                           "AND indexdef LIKE %s", [table, f"%({column} varchar_pattern_ops)%"])
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f'CREATE INDEX IF NOT EXISTS "{table}_{column}_like" '
                           f'ON "{table}" ("{column}" varchar_pattern_ops)')

    return migrations.RunPython(drop, create)
