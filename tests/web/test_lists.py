"""Long lists (arrears.lists, issue 11): paged, sorted, filtered, exported to CSV and Excel
within the user's rights, masked like the page, bounded and audited."""

import csv
import io

import pytest
from openpyxl import load_workbook

from arrears.access import policy
from arrears.audit.models import AuditEvent
from arrears.audit.services import audit_record
from arrears.channels.models import OutboxMessage
from arrears.lists import Column, ListSpec
from arrears.portfolio.models import ContactPoint
from tests.factories import make_account, make_cardholder
from tests.web.conftest import PASSWORD


def _events(n: int, action: str = "note_add") -> None:
    for i in range(n):
        audit_record(actor=None, action=action, object_type="x", object_id=i)


def _logged_in(client, role_user, role: str, language: str = "en"):
    user = role_user(role)
    client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = language
    return user


def _sequences(response) -> list[int]:
    return [event.sequence for event in response.context["list"].rows]


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Chinese right
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def _xlsx(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return list(book.active.iter_rows(values_only=True))


def test_pages_hold_every_row_once_in_a_total_order(client, role_user):
    _logged_in(client, role_user, "auditor")
    _events(230)
    seen = []
    for page in (1, 2, 3):
        response = client.get("/audit/", {"page": page})
        assert response.status_code == 200
        seen += _sequences(response)
    assert len(seen) == len(set(seen)) == AuditEvent.objects.count()
    assert seen == sorted(seen, reverse=True)  # newest first by default
    assert 'rel="next"' not in client.get("/audit/", {"page": 3}).content.decode()
    # A page past the end or not a number shows a real page, never an error.
    assert client.get("/audit/", {"page": "999"}).status_code == 200
    assert client.get("/audit/", {"page": "x'"}).status_code == 200


def test_sorting_by_a_column_and_refusing_unknown_keys(client, role_user):
    _logged_in(client, role_user, "auditor")
    _events(3)
    ascending = _sequences(client.get("/audit/", {"sort": "sequence"}))
    assert ascending == sorted(ascending)
    page = client.get("/audit/", {"sort": "sequence"}).content.decode()
    assert 'aria-sort="ascending"' in page and "sort=-sequence" in page
    for bad in ("hash", "password", "-", "sequence;drop", "__class__"):
        response = client.get("/audit/", {"sort": bad})
        assert response.status_code == 200
        assert "cannot be sorted" in response.content.decode()
        assert _sequences(response) == sorted(ascending, reverse=True)


def test_filters_narrow_the_list_and_bad_values_are_ignored_with_a_word(client, role_user):
    _logged_in(client, role_user, "auditor")
    _events(4, "note_add")
    _events(2, "outcome_record")
    response = client.get("/audit/", {"action": "outcome_record"})
    assert len(_sequences(response)) == 2
    assert "action=outcome_record" in response.context["list"].export_csv_url
    for bad in ("2026-02-30", "9999-12-31", "0001-01-01", "tomorrow"):
        response = client.get("/audit/", {"from": bad, "to": bad})
        assert response.status_code == 200 and "is not a date" in response.content.decode()
        assert len(_sequences(response)) == 6
    assert _sequences(client.get("/audit/", {"sort": "--sequence"})) == sorted(
        _sequences(client.get("/audit/")), reverse=True)


def test_csv_and_excel_exports_hold_the_list_as_filtered_and_are_audited(client, role_user):
    _logged_in(client, role_user, "auditor")
    _events(3, "note_add")
    _events(2, "=HYPERLINK(1)")  # a value that would run as a spreadsheet formula
    rows = _csv(client.get("/audit/", {"export": "csv", "action": "note_add"}))
    assert rows[0] == ["#", "At", "Actor", "Action", "Object", "Purpose", "Hash"]
    assert len(rows) == 4 and all("Note added (note_add)" == row[3] for row in rows[1:])
    formulas = _csv(client.get("/audit/", {"export": "csv", "action": "=HYPERLINK(1)"}))
    assert all(row[3].startswith("'=") for row in formulas[1:])
    response = client.get("/audit/", {"export": "xlsx", "sort": "sequence"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = _xlsx(response)
    # Every event at the time of the export: the five, and the two earlier exports' events.
    assert sheet[0][:2] == ("#", "At") and len(sheet) == 1 + 5 + 2
    assert [row[0] for row in sheet[1:]] == sorted(row[0] for row in sheet[1:])  # numbers
    exports = AuditEvent.objects.filter(action="list.export").order_by("sequence")
    assert [(e.object_id, e.details["format"], e.details["rows"]) for e in exports] == [
        ("audit", "csv", 3), ("audit", "csv", 2), ("audit", "xlsx", 7)]
    assert exports[0].details["filters"] == {"action": "note_add"}


def test_exports_speak_the_readers_language(client, role_user):
    _logged_in(client, role_user, "auditor", language="zh-hans")
    _events(1, "note_add")
    rows = _csv(client.get("/audit/", {"export": "csv"}))
    assert rows[0][:4] == ["#", "时间", "操作人", "操作"]
    assert rows[1][3] == "添加备注 (note_add)"
    sheet = _xlsx(client.get("/audit/", {"export": "xlsx"}))
    assert sheet[0][1] == "时间"


def test_a_role_without_the_right_gets_403_and_nothing_is_written(client, role_user):
    collector = _logged_in(client, role_user, "collector")
    account = make_account()
    from tests.factories import give_work
    give_work(collector, account)
    assert client.get("/work/").status_code == 200
    assert client.get("/work/", {"export": "csv"}).status_code == 403  # b.4: no exports
    assert client.get("/work/", {"export": "xlsx"}).status_code == 403
    assert 'class="export-csv"' not in client.get("/work/").content.decode()
    assert not AuditEvent.objects.filter(action="list.export").exists()
    client.logout()
    _logged_in(client, role_user, "auditor")
    assert client.get("/channels/outbox/", {"export": "csv"}).status_code == 403


def test_exports_are_masked_exactly_like_the_page(client, role_user):
    holder = make_cardholder(external_id="CH-M", name="张三丰", national_id="11010119900307123X")
    account = make_account(external_id="AC-M", cardholder=holder)
    point = ContactPoint.objects.create(external_id="CP-M", cardholder=holder, kind="mobile",
                                        value="13812345678")
    OutboxMessage.objects.create(
        idempotency_key="m-1", account=account, channel="sms", template_code="reminder",
        contact_point=point, recipient="13812345678",
        last_error="gateway refused 13812345678")
    _logged_in(client, role_user, "compliance_officer")  # M1
    page = client.get("/accounts/", {"q": "三丰"}).content.decode()
    rows = _csv(client.get("/accounts/", {"q": "三丰", "export": "csv"}))
    assert rows[1][:4] == ["AC-M", "CH-M", "张*", "110***********123X"]
    assert "张*" in page and "110***********123X" in page
    sheet = _xlsx(client.get("/accounts/", {"q": "三丰", "export": "xlsx"}))
    assert sheet[1][:4] == ("AC-M", "CH-M", "张*", "110***********123X")
    client.logout()
    _logged_in(client, role_user, "administrator")  # M0, may export the outbox
    text = b"".join(client.get("/channels/outbox/", {"export": "csv"}).streaming_content)
    assert b"*******5678" in text and b"13812345678" not in text
    page = client.get("/channels/outbox/").content.decode()
    assert "*******5678" in page and "13812345678" not in page


def test_an_export_above_the_bound_is_refused_with_a_message(client, role_user, settings):
    settings.ARREARS_LIST_EXPORT_MAX = 5
    _logged_in(client, role_user, "auditor")
    _events(8)
    response = client.get("/audit/", {"export": "csv"}, follow=True)
    assert response.status_code == 200
    assert "more than the 5 an export may hold" in response.content.decode()
    refused = AuditEvent.objects.get(action="list.export_refused")
    assert refused.details["rows"] == 8
    assert client.get("/audit/", {"export": "csv", "object_id": "1"}).status_code == 200
    response = client.get("/audit/", {"export": "pdf"}, follow=True)
    assert "Unknown export format" in response.content.decode()


def test_a_spec_is_checked_when_it_is_written():
    column = Column("a", "A", lambda row, view: row, sort="a")
    with pytest.raises(ValueError, match="Unknown list"):
        ListSpec(name="nope", title="x", columns=(column,), default_sort="a")
    with pytest.raises(ValueError, match="Default sort"):
        ListSpec(name=policy.AUDIT_LIST, title="x", columns=(column,), default_sort="b")
    with pytest.raises(ValueError, match="Page size"):
        ListSpec(name=policy.AUDIT_LIST, title="x", columns=(column,), default_sort="a",
                 page_size=10_000)
