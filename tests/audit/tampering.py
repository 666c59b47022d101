"""Changing audit rows behind the application's back, as someone with database access could:
the database's own append-only triggers are switched off for the one statement."""

from django.db import connection

SQLITE_TRIGGERS = ("audit_event_no_update",)


def tamper_raw(sql: str, params) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
            cursor.execute(sql, params)
            cursor.execute("SET LOCAL session_replication_role = origin")
            return
        saved = dict(cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            SQLITE_TRIGGERS).fetchall())
        for name in saved:
            cursor.execute(f"DROP TRIGGER {name}")
        cursor.execute(sql, params)
        for definition in saved.values():
            cursor.execute(definition)
