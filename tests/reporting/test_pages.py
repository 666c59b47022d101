"""The report pages on the hand-made book: figures, drill-down within reach and masked, the
files (CSV and Excel read back), the audit of each file, and who may see what."""

import csv
import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from arrears.audit.models import AuditEvent
from arrears.users.services import user_create_for_role
from arrears.workbench.models import QueueEntry
from tests.factories import give_work

pytestmark = pytest.mark.django_db
APRIL = "month=2026-04&product=CARD"


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def manager(book):
    return user_create_for_role(username="manager", role="collections_manager")


def test_the_roll_rate_page_shows_the_matrix_and_links_to_the_accounts(book, manager):
    page = _client(manager).get(f"/reports/rolls/?{APRIL}").content.decode()
    assert 'data-to="M0" data-accounts="2" data-balance="111500"' in page
    assert 'class="chart heat-map"' in page
    assert "/reports/accounts/?" in page and "source=M1" in page
    assert 'data-flow="M7+-CO"' in page


def test_the_roll_rates_as_csv_and_excel_read_back(book, manager):
    client = _client(manager)
    response = client.get(f"/reports/rolls/?{APRIL}&export=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(
        b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["From", "To", "Accounts"]
    assert ["M1", "M0", "2", "66.67", "1115.00", "61.43"] in rows
    response = client.get(f"/reports/rolls/?{APRIL}&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["M7+", "CO", 1, 100, 900, 100] in values
    assert AuditEvent.objects.filter(action="report.export", object_id="roll_rates").count() == 2


def test_the_cure_page_and_its_files(book, manager):
    client = _client(manager)
    page = client.get(f"/reports/cures/?{APRIL}").content.decode()
    assert 'data-bucket="M1"' in page and "66.67%" in page
    response = client.get(f"/reports/cures/?{APRIL}&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0].value: [c.value for c in row] for row in sheet.iter_rows(min_row=2)}
    assert rows["M1"][:4] == ["M1", 3, 1815, 2]
    assert rows["M1"][6:8] == [1, 1]


def test_the_accounts_behind_a_cure_are_listed_masked(book, manager):
    page = _client(manager).get(
        f"/reports/accounts/?{APRIL}&kind=cure&source=M1&part=worked").content.decode()
    assert "R-cured_worked" in page and "R-cured_self" not in page
    name = book.accounts["cured_worked"].cardholder.name
    assert name not in page and name[0] + "*" in page


def test_a_team_lead_sees_only_what_they_reach_and_only_their_teams(book):
    lead = book.users["lead"]
    give_work(lead, book.accounts["cured_self"], team_name="Calls")
    assert QueueEntry.objects.count() == 1
    client = _client(lead)
    page = client.get(f"/reports/accounts/?{APRIL}&kind=roll&source=M1&target=M0").content
    page = page.decode()
    assert "R-cured_self" in page and "R-cured_worked" not in page
    assert 'id="outside-reach"' in page
    assert client.get(f"/reports/accounts/?{APRIL}&kind=roll&source=M1&target=M0"
                      "&export=csv").status_code == 403
    people = client.get("/reports/collectors/?start=2026-04-01&end=2026-04-30").content.decode()
    assert "alice" in people and "carol" not in people
    assert 'id="not-amount-alone"' in people
    assert client.get("/reports/collectors/?start=2026-04-01&end=2026-04-30"
                      "&export=csv").status_code == 200


def test_the_collector_page_for_a_manager_and_bad_input(book, manager):
    client = _client(manager)
    page = client.get("/reports/collectors/?start=2026-04-01&end=2026-04-30").content.decode()
    assert "carol" in page and "270.00 CNY" in page
    swapped = client.get("/reports/collectors/?start=2026-04-30&end=2026-04-01")
    assert swapped.status_code == 200 and b"swapped" in swapped.content
    for path in ("/reports/rolls/?month=2026-13", "/reports/rolls/?month=abc&product=NOPE",
                 "/reports/collectors/?start=9999-99-99", "/reports/accounts/?kind=x&part=y",
                 "/reports/rolls/?export=pdf"):
        assert client.get(path).status_code == 200, path


def test_roles_without_reports_are_refused(book):
    client = _client(book.users["alice"])
    for path in ("/reports/", "/reports/rolls/", "/reports/collectors/"):
        assert client.get(path).status_code == 403


def test_the_compliance_page_and_its_files(book, manager):
    client = _client(manager)
    page = client.get("/reports/compliance/?start=2026-04-01&end=2026-04-30").content.decode()
    assert 'data-rule="CN-06"' in page and 'id="gate-rule-chart"' in page
    response = client.get("/reports/compliance/?start=2026-04-01&end=2026-04-30&table=rules"
                          "&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2))] == ["CN-06", 1, 1]
    officer = user_create_for_role(username="officer", role="compliance_officer")
    assert _client(officer).get("/reports/compliance/").status_code == 200


def test_the_segment_filter_on_the_page(book, manager):
    from django.utils import timezone

    from arrears.batch.models import Decision, DecisionRun

    now = timezone.now()
    run = DecisionRun.objects.create(as_of=date(2026, 3, 31), started_at=now, finished_at=now,
                                     counts_by_segment={"early": 1},
                                     counts_by_treatment={"call": 1})
    Decision.objects.create(run=run, account=book.accounts["cured_self"], segment="early",
                            treatment="call", rule_id="r")
    client = _client(manager)
    page = client.get(f"/reports/cures/?{APRIL}&segment=early").content.decode()
    assert '<option value="early" selected>' in page
    assert 'data-bucket="M1"' in page and 'data-bucket="M2"' not in page
    ignored = client.get(f"/reports/cures/?{APRIL}&segment=nope").content.decode()
    assert "the filter was ignored" in ignored and 'data-bucket="M2"' in ignored
