"""The embedded database refuses updates of audit events too, as PostgreSQL's trigger does.

Deletes are refused by the model on SQLite: Django's test-database flush empties tables with
DELETE there (PostgreSQL truncates, which row triggers do not see)."""

from django.db import migrations

SQLITE_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
)


def triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement, params=None)


def triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_hash_chain")]

    operations = [migrations.RunPython(triggers_create, triggers_drop)]
