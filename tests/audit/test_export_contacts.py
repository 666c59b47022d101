"""``arrears audit export --what contacts|gate-checks|all``: the contact ledger and the gate's
answers for a regulator, masked, by period, and the bundle with its manifest."""

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from arrears.audit.models import AuditChainHead, AuditEvent
from arrears.audit.services import audit_record
from arrears.compliance import services
from arrears.compliance.exports import CONTACT_COLUMNS, GATE_CHECK_COLUMNS, trail_export_write
from arrears.compliance.models import ContactAttempt, GateCheck
from arrears.compliance.selectors import pack_cache_clear
from arrears.portfolio.models import ContactPoint, ThirdPartyContact
from tests.factories import make_account, make_cardholder

pytestmark = pytest.mark.django_db

MOBILE, THIRD_PHONE, ADDRESS = "13812345678", "13900000000", "上海市浦东新区世纪大道100号"
# 2025-06-02 is a Monday; 02:00 UTC is 10:00 in Shanghai (the server's time zone).
MORNING = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)
JUNE = ("--from", "2025-06-01", "--to", "2025-06-30")


@pytest.fixture(autouse=True)
def fresh_packs():
    pack_cache_clear()
    yield
    pack_cache_clear()


@pytest.fixture
def debtor():
    holder = make_cardholder()
    account = make_account(cardholder=holder)
    mobile = ContactPoint.objects.create(external_id=f"{holder.pk}-m", cardholder=holder,
                                         kind="mobile", value=MOBILE, verified=True)
    ContactPoint.objects.create(external_id=f"{holder.pk}-a", cardholder=holder,
                                kind="billing_address", value=ADDRESS)
    mother = ThirdPartyContact.objects.create(external_id=f"{holder.pk}-e", cardholder=holder,
                                              name="王小红", relation="parent", phone=THIRD_PHONE)
    return account, mobile, mother


@pytest.fixture
def collector():
    return get_user_model().objects.create_user(username="li.collector", password="x" * 20)


def export(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command("audit", "export", *args, stdout=out, **kwargs)
    return out.getvalue()


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_every_model_field_has_a_column():
    for model, columns in ((ContactAttempt, CONTACT_COLUMNS), (GateCheck, GATE_CHECK_COLUMNS)):
        assert {field.attname for field in model._meta.concrete_fields} <= set(columns)


def test_contacts_are_masked_in_time_order_with_account_and_actor(debtor, collector):
    account, mobile, mother = debtor
    later = services.contact_record(account, channel="call", outcome="no_answer",
                                    contact_point=mobile, at=MORNING + timedelta(hours=2),
                                    actor=collector, note=f"rang {MOBILE} twice")
    first = services.contact_record(account, channel="call", outcome="third_party",
                                    counterparty="emergency_contact", third_party=mother,
                                    at=MORNING)
    same_time = services.contact_record(account, channel="sms", outcome="sent",
                                        contact_point=mobile, at=MORNING)

    text = export(*JUNE, "--what", "contacts")

    assert MOBILE not in text and THIRD_PHONE not in text and "王小红" not in text
    rows = jsonl(text)
    assert [row["id"] for row in rows] == [first.pk, same_time.pk, later.pk]
    call = rows[2]
    assert call["at"] == "2025-06-02T04:00:00.000000Z"
    assert (call["account_id"], call["account_external_id"]) == (account.pk, account.external_id)
    assert call["cardholder_external_id"] == account.cardholder.external_id
    assert (call["actor_id"], call["actor_username"]) == (collector.pk, "li.collector")
    assert call["contact_point_kind"] == "mobile"
    assert call["contact_point_value"] == "138****5678"
    assert call["note"] == "rang *******5678 twice"
    assert call["conversation"] is False and call["excluded_reason"] == ""
    assert rows[0]["third_party_name"] == "王*" and rows[0]["third_party_phone"] == "139****0000"
    assert rows[0]["third_party_relation"] == "parent" and rows[0]["actor_username"] == ""
    assert rows[0]["contact_point_value"] == "" and rows[0]["contact_point_id"] is None


def test_the_period_is_whole_days_in_the_server_time_zone(debtor):
    account, mobile, _ = debtor
    shanghai_midnight = datetime(2025, 5, 31, 16, 0, tzinfo=UTC)  # 2025-06-01 00:00 local
    inside = [shanghai_midnight, shanghai_midnight + timedelta(days=30, seconds=-1)]
    outside = [shanghai_midnight - timedelta(seconds=1), shanghai_midnight + timedelta(days=30)]
    ids = {at: services.contact_record(account, channel="sms", outcome="sent",
                                       contact_point=mobile, at=at).pk
           for at in inside + outside}
    for at in inside + outside:
        services.gate_ask(account, channel="sms", at=at, contact_point=mobile)

    contacts = jsonl(export(*JUNE, "--what", "contacts"))
    checks = jsonl(export(*JUNE, "--what", "gate-checks"))

    assert [row["id"] for row in contacts] == [ids[at] for at in inside]
    assert [row["at"] for row in checks] == [row["at"] for row in contacts]
    assert contacts[0]["at"] == "2025-05-31T16:00:00.000000Z"


def test_gate_checks_as_csv_with_header_and_masked_request(debtor, collector):
    account, mobile, _ = debtor
    allowed = services.gate_ask(account, channel="call", at=MORNING, contact_point=mobile,
                                actor=collector, reference="call:1",
                                content=f"This is Li Si from Demo Bank. Please call us back, "
                                        f"or we call {MOBILE} again")
    delayed = services.gate_ask(account, channel="sms", at=MORNING.replace(hour=14, minute=30))

    text = export(*JUNE, "--what", "gate-checks", "--format", "csv")

    assert MOBILE not in text and "世纪大道" not in text
    reader = csv.reader(io.StringIO(text))
    assert tuple(next(reader)) == GATE_CHECK_COLUMNS
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(row["id"]) for row in rows] == [allowed.check_id, delayed.check_id]
    first, second = rows
    assert (first["verdict"], first["reference"], first["actor_username"]) == (
        "allow", "call:1", "li.collector")
    assert first["account_external_id"] == account.external_id and first["not_before"] == ""
    request = json.loads(first["request"])
    assert request["phone"] == "138****5678" and request["address"].startswith("上海市浦东新区*")
    assert "*******5678" in request["content"]
    assert second["verdict"] == "delay" and second["not_before"] == "2025-06-03T00:00:00.000000Z"
    assert json.loads(second["reasons"])[0]["rule_id"] in second["rule_ids"]


def test_all_writes_three_files_and_a_manifest_that_matches_them(debtor, tmp_path):
    account, mobile, _ = debtor
    audit_record(actor=None, action="test.event", object_id=1)
    services.contact_record(account, channel="call", outcome="no_answer", contact_point=mobile,
                            at=MORNING)
    services.gate_ask(account, channel="call", at=MORNING, contact_point=mobile)
    head = AuditChainHead.objects.get()
    events_before = AuditEvent.objects.count()
    folder = tmp_path / "regulator"

    out = export(*JUNE, "--what", "all", "--out", str(folder))

    names = ["events.jsonl", "contacts.jsonl", "gate_checks.jsonl", "manifest.json"]
    assert sorted(path.name for path in folder.iterdir()) == sorted(names)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"]["from"] == "2025-06-01" and manifest["period"]["to"] == "2025-06-30"
    assert manifest["audit_chain_head"] == {"sequence": head.sequence, "hash": head.hash}
    assert manifest["counts"] == {"events": 0, "contacts": 1, "gate_checks": 1}
    for name in names[:3]:
        data = (folder / name).read_bytes()
        assert manifest["files"][name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert manifest["files"][name]["rows"] == len(data.splitlines())
    assert "1 contacts and 1 gate checks" in out
    recorded = AuditEvent.objects.order_by("sequence").last()
    assert AuditEvent.objects.count() == events_before + 1
    assert recorded.action == "audit.export"
    assert recorded.details["what"] == "all"
    assert recorded.details["period"] == {"from": "2025-06-01", "to": "2025-06-30"}
    assert recorded.details["counts"] == manifest["counts"]


def test_the_bundle_holds_the_events_up_to_the_head_it_names(tmp_path):
    for number in range(3):
        audit_record(actor=None, action="test.event", object_id=number)
    today = timezone.localdate()  # the period is whole days in the server's time zone
    period = ("--from", str(today - timedelta(days=1)), "--to", str(today + timedelta(days=1)))

    export(*period, "--what", "all", "--out", str(tmp_path / "b"))

    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    rows = jsonl((tmp_path / "b" / "events.jsonl").read_text(encoding="utf-8"))
    assert manifest["counts"]["events"] == len(rows) == 3
    assert rows[-1]["hash"] == manifest["audit_chain_head"]["hash"]
    # An event appended while the bundle is written lies beyond the head: left out.
    stream = io.StringIO()
    assert trail_export_write(stream, "events", today, today, up_to_sequence=2) == 2


def test_a_failed_bundle_leaves_no_partial_file(debtor, tmp_path):
    account, mobile, _ = debtor
    services.contact_record(account, channel="sms", outcome="sent", contact_point=mobile,
                            at=MORNING)
    (tmp_path / "gate_checks.jsonl.partial").mkdir()  # cannot be opened as a file

    with pytest.raises(CommandError, match="Could not write"):
        export(*JUNE, "--what", "all", "--out", str(tmp_path))

    assert [path.name for path in tmp_path.iterdir()] == ["gate_checks.jsonl.partial"]
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_single_trail_to_a_file_records_the_export(debtor, tmp_path):
    account, mobile, _ = debtor
    services.contact_record(account, channel="sms", outcome="sent", contact_point=mobile,
                            at=MORNING)
    target = tmp_path / "contacts.csv"

    out = export(*JUNE, "--what", "contacts", "--format", "csv", "--out", str(target))

    assert "1 rows written" in out
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert tuple(rows[0]) == CONTACT_COLUMNS and rows[0]["conversation"] == "false"
    assert not list(tmp_path.glob("*.partial"))
    details = AuditEvent.objects.filter(action="audit.export").get().details
    assert details["what"] == "contacts" and details["counts"] == {"contacts": 1}


def test_bad_input_is_refused_with_a_message_and_writes_nothing(tmp_path):
    with pytest.raises(CommandError, match="--out DIR"):
        export(*JUNE, "--what", "all")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        export("--from", "2025-06-01", "--to", "June", "--what", "contacts")
    with pytest.raises(CommandError, match="before --from"):
        export("--from", "2025-06-30", "--to", "2025-06-01", "--what", "gate-checks")
    with pytest.raises(CommandError, match="invalid choice"):
        export(*JUNE, "--what", "everything")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="empty folder"):
        export(*JUNE, "--what", "all", "--out", str(tmp_path / "old"))
    with pytest.raises(CommandError, match="does not exist"):
        export(*JUNE, "--what", "all", "--out", str(tmp_path / "no" / "such"))
    assert not AuditEvent.objects.filter(action="audit.export").exists()
    assert [path.name for path in (tmp_path / "old").iterdir()] == ["manifest.json"]


def test_the_first_and_last_days_of_the_calendar_are_open_bounds(debtor):
    """Review finding: ``--from 0001-01-01`` or ``--to 9999-12-31`` ended in a traceback
    (OverflowError) for contacts and gate checks; nothing lies beyond them, so every row is
    in."""
    account, mobile, _ = debtor
    at = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)
    services.contact_record(account, channel="sms", outcome="sent", contact_point=mobile, at=at)
    services.gate_ask(account, channel="sms", at=at, contact_point=mobile)
    audit_record(actor=None, action="cycle_run", object_id="7")
    wide = ("--from", "0001-01-01", "--to", "9999-12-31")
    for what in ("events", "contacts", "gate-checks"):
        assert len(jsonl(export(*wide, "--what", what))) == 1, what
