"""``arrears audit verify`` and ``arrears audit export``."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from arrears.audit.chain import chain_verify
from arrears.audit.services import audit_record
from tests.audit.tampering import tamper_raw


@pytest.fixture
def events(db):
    return [audit_record(actor=None, action="test.event", object_id=i, details={"名": "张"})
            for i in range(3)]


def test_verify_says_intact(events):
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact: 3 events" in out.getvalue()


def test_verify_fails_on_a_tampered_event(events):
    tamper_raw("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [events[1].pk])
    err = io.StringIO()
    with pytest.raises(CommandError, match="broken"):
        call_command("audit", "verify", stderr=err)
    assert "#2" in err.getvalue()


def test_export_jsonl_can_be_verified_by_the_recipient(events, tmp_path):
    out = tmp_path / "audit.jsonl"
    call_command("audit", "export", "--from", "2000-01-01", "--to", "2100-01-01",
                 "--out", str(out), stdout=io.StringIO())
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["sequence"] for row in rows] == [1, 2, 3]
    assert rows[0]["details"] == {"名": "张"}
    assert chain_verify(rows, start_sequence=1, start_prev_hash=rows[0]["prev_hash"]).ok


def test_export_csv_to_stdout(events):
    out = io.StringIO()
    call_command("audit", "export", "--from", "2000-01-01", "--to", "2100-01-01",
                 "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 3 and rows[2]["hash"] and rows[2]["prev_hash"] == rows[1]["hash"]


def test_export_outside_the_period_is_empty_and_bad_dates_are_refused(events, tmp_path):
    out = tmp_path / "none.jsonl"
    call_command("audit", "export", "--from", "2001-01-01", "--to", "2001-01-31",
                 "--out", str(out), stdout=io.StringIO())
    assert out.read_text() == ""
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit", "export", "--from", "yesterday", "--to", "2001-01-31")
