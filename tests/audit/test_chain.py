"""The audit trail is one hash chain: append-only, verifiable, and not forked by concurrency."""

import threading

import pytest
from django.db import connection, connections, transaction

from arrears.audit.chain import GENESIS_HASH, chain_verify, event_hash
from arrears.audit.models import AuditChainHead, AuditEvent, AuditImmutable
from arrears.audit.services import audit_record, audit_verify, event_fields
from tests.audit.tampering import tamper_raw


def _record(n: int, **details):
    return [audit_record(actor=None, action="test.event", object_id=i, details=details)
            for i in range(n)]


@pytest.mark.django_db
def test_events_are_chained_with_sequence_and_hashes():
    first, second, third = _record(3, note="张三 paid")
    assert (first.sequence, second.sequence, third.sequence) == (1, 2, 3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert event_hash(event_fields(AuditEvent.objects.get(pk=third.pk)), second.hash) == third.hash
    assert AuditChainHead.objects.get().sequence == 3
    report = audit_verify()
    assert report.ok and report.events == 3


@pytest.mark.django_db
def test_events_refuse_update_and_delete():
    (event,) = _record(1)
    event.action = "something.else"
    with pytest.raises(AuditImmutable):
        event.save()
    with pytest.raises(AuditImmutable):
        event.delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def _tamper(sql: str, params) -> None:
    """Change a row behind the model's back, as someone with database access could."""
    tamper_raw(sql, params)


@pytest.mark.django_db
def test_verify_finds_an_edited_event():
    events = _record(4)
    _tamper("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["99", events[1].pk])
    report = audit_verify()
    assert not report.ok
    assert [b.sequence for b in report.breaks] == [2]


@pytest.mark.django_db
def test_verify_finds_a_removed_event_and_a_cut_off_end():
    events = _record(4)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    assert {b.sequence for b in audit_verify().breaks} == {3}
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[3].pk])
    problems = " ".join(b.problem for b in audit_verify().breaks)
    assert "chain head says it ends at #4" in problems


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_gap():
    _record(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        _record(2)
        raise RuntimeError("import failed")
    _record(1)
    sequences = AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)
    assert list(sequences) == [1, 2]
    assert audit_verify().ok


@pytest.mark.django_db
def test_head_is_rebuilt_when_missing():
    _record(2)
    AuditChainHead.objects.all().delete()
    _record(1)
    assert audit_verify().ok


def test_chain_verify_on_plain_values():
    events, prev = [], GENESIS_HASH
    for sequence in (1, 2):
        event = {"sequence": sequence, "at": "2025-01-01T00:00:00.000000Z", "action": "a",
                 "details": {"k": "值"}, "prev_hash": prev}
        event["hash"] = prev = event_hash(event, prev)
        events.append(event)
    assert chain_verify(events).ok
    events[0]["details"] = {"k": "other"}
    assert not chain_verify(events).ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    """Eight threads, each with its own connection, append 15 events: one chain, no gap.

    SQLite admits one writer at a time: a writer that cannot get the lock fails with "database
    is locked" instead of appending after an old head, so there the chain must stay whole
    with fewer events."""
    errors, written = [], []

    def write():
        try:
            for i in range(15):
                with transaction.atomic():
                    audit_record(actor=None, action="test.concurrent", object_id=i)
                written.append(i)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = audit_verify()
    assert report.ok, report.breaks
    if _postgres():
        assert not errors
        assert report.events == 15 * len(threads)
    else:
        assert all("locked" in str(error) for error in errors), errors
        assert report.events == len(written) > 0


def _postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.mark.django_db
def test_the_database_itself_refuses_raw_changes():
    """Triggers: even SQL that bypasses the model cannot rewrite history. PostgreSQL refuses
    UPDATE and DELETE; SQLite refuses UPDATE (its test-database flush deletes rows, so a
    DELETE trigger there would break every test that commits; the model refuses deletes)."""
    (event,) = _record(1)
    from django.db import DatabaseError

    statements = ["UPDATE audit_auditevent SET action = 'x' WHERE id = %s"]
    if _postgres():
        statements.append("DELETE FROM audit_auditevent WHERE id = %s")
    for statement in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == event.action
