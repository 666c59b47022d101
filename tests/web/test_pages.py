"""The pages through Django's test client: login, numbers, masking by role, language, 404."""

import random
import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone, translation

from arrears.audit.models import AuditEvent
from arrears.ledger.models import AccountPosition, BucketChange, CycleRun, Posting
from arrears.rules.aging import BUCKET_CODES
from arrears.rules.money import format_amount
from tests.factories import (
    give_work,
    make_account,
    make_cardholder,
    make_product,
    refer_to_litigation,
)
from tests.web.conftest import PASSWORD

ROW = re.compile(r'<tr data-bucket="(?P<bucket>[^"]+)"[^>]*>(?P<cells>.*?)</tr>', re.S)
CELL = re.compile(r'data-field="(?P<field>\w+)">(?P<value>[^<]*)<')


def table_cells(html: str) -> dict[str, dict[str, str]]:
    """``{"M0": {"accounts": "3", "balance": "1,234.00", ...}, ..., "total": {...}}``."""
    return {
        row["bucket"]: {c["field"]: c["value"] for c in CELL.finditer(row["cells"])}
        for row in ROW.finditer(html)
    }


@pytest.fixture
def collector(role_user):
    return role_user("collector")


@pytest.mark.parametrize("path", ["/", "/accounts/AC-2001/", "/accounts/?q=AC-2001"])
def test_pages_require_login(client, delinquent_account, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_login_form_logs_in_and_lands_on_the_overview(client, collector):
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.text
    response = client.post("/login/", {"username": "collector", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "collector" in client.get("/").text


def test_overview_numbers_equal_the_sum_of_positions(client, collector):
    product = make_product(currency="TWD")
    rng = random.Random(42)
    positions = [
        AccountPosition.objects.create(
            account=make_account(product=product),
            as_of=date(2025, 3, 20),
            principal_minor=rng.randint(0, 5_000_000),
            interest_minor=rng.randint(0, 50_000),
            fees_minor=rng.randint(0, 20_000),
            past_due_minor=rng.randint(0, 400_000),
            bucket=rng.choice(["M0", "M0", "M1", "M3", "M7+"]),
        )
        for _ in range(17)
    ]
    CycleRun.objects.create(
        as_of=date(2025, 3, 20), started_at=timezone.now(), finished_at=timezone.now()
    )
    client.force_login(collector)

    html = client.get("/").text

    cells = table_cells(html)
    assert list(cells) == [*BUCKET_CODES, "total"]
    for bucket in BUCKET_CODES:
        rows = [p for p in positions if p.bucket == bucket]
        assert cells[bucket]["accounts"] == str(len(rows))
        assert cells[bucket]["balance"] == format_amount(sum(p.balance_minor for p in rows), "TWD")
        assert cells[bucket]["past_due"] == format_amount(
            sum(p.past_due_minor for p in rows), "TWD"
        )
    assert cells["total"]["accounts"] == str(len(positions))
    assert cells["total"]["balance"] == format_amount(
        sum(p.balance_minor for p in positions), "TWD"
    )
    assert "2025-03-20" in html
    assert "TWD" in html


def test_overview_draws_an_accessible_svg_chart_with_every_bucket(client, collector):
    AccountPosition.objects.create(
        account=make_account(product=make_product(currency="TWD")), as_of=date(2025, 3, 20),
        principal_minor=100_000, bucket="M2",
    )
    client.force_login(collector)
    html = client.get("/").text
    svg = html[html.index("<svg"): html.index("</svg>")]
    assert 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg
    assert [m for m in re.findall(r'<g class="bucket-bars" data-bucket="([^"]+)"', svg)] == list(
        BUCKET_CODES
    )
    widths = dict(re.findall(
        r'data-bucket="([^"]+)">\s*<text[^>]*>[^<]*</text>\s*<rect class="bar-balance"[^>]*'
        r'width="([\d.]+)"', svg))
    assert float(widths["M2"]) > 0
    assert all(float(w) == 0 for bucket, w in widths.items() if bucket != "M2")


def test_empty_portfolio_says_how_to_load_data(client, collector):
    client.force_login(collector)
    html = client.get("/").text
    assert 'id="empty-portfolio"' in html
    assert "arrears demo" in html
    assert "arrears import" in html
    assert "<svg" not in html


def test_in_house_roles_see_m1_and_the_view_is_audited(client, collector, delinquent_account):
    give_work(collector, delinquent_account)
    client.force_login(collector)
    html = client.get("/accounts/AC-2001/").text

    assert "110***********0015" in html and "110101199003070015" not in html
    assert "138****5678" in html and "13812345678" not in html
    assert "z***@example.com" in html and "zhangsan@example.com" not in html
    assert "北京市朝阳区****" in html and "建国路" not in html
    assert "张*" in html and "张三丰" not in html
    assert "李*" in html and "1111" not in html  # emergency contact: never the number
    assert 'id="reveal-form"' not in html  # collectors may not reveal
    event = AuditEvent.objects.get(action="account.view")
    assert (event.actor, event.object_id, event.details["masking"]) == (collector, "AC-2001", "M1")


def test_agency_sees_m0(client, role_user, delinquent_account, placed_with_agency):
    agency_user = role_user("agency_manager")
    placed_with_agency(delinquent_account, user=agency_user)
    client.force_login(agency_user)
    html = client.get("/accounts/AC-2001/").text
    assert "**************0015" in html
    assert "*******5678" in html and "138****" not in html
    assert "***@example.com" in html and "z***@" not in html
    assert "北京市****" in html and "朝阳区" not in html


def test_no_role_sees_unmasked_data_without_a_reveal(client, role_user, delinquent_account):
    legal = role_user("legal_officer")
    refer_to_litigation(delinquent_account)
    client.force_login(legal)
    html = client.get("/accounts/AC-2001/").text
    assert "110101199003070015" not in html and "13812345678" not in html
    assert 'id="reveal-form"' in html


def test_reveal_with_purpose_shows_the_data_once_and_is_audited(
    client, role_user, delinquent_account
):
    legal = role_user("legal_officer")
    refer_to_litigation(delinquent_account)
    client.force_login(legal)
    response = client.post("/accounts/AC-2001/", {"purpose": "LITIGATION", "reason": "suit"})
    html = response.text
    assert response.status_code == 200
    assert "110101199003070015" in html and "13812345678" in html and "张三丰" in html
    assert "北京市朝阳区建国路88号1201室" in html
    assert "13900001111" not in html  # the emergency contact's number, even now
    event = AuditEvent.objects.get(action="pii.reveal")
    assert (event.actor, event.purpose, event.details["reason"]) == (legal, "LITIGATION", "suit")
    assert "national_id" in event.details["fields"]
    assert "110101199003070015" not in client.get("/accounts/AC-2001/").text  # one view only


@pytest.mark.parametrize("form", [{"reason": "suit"}, {"purpose": "FUN", "reason": "x"}])
def test_reveal_without_a_valid_purpose_is_refused(client, role_user, delinquent_account, form):
    legal = role_user("legal_officer")
    refer_to_litigation(delinquent_account)
    client.force_login(legal)
    response = client.post("/accounts/AC-2001/", form)
    assert response.status_code == 403
    assert 'id="reveal-error"' in response.text and "110101199003070015" not in response.text
    assert not AuditEvent.objects.filter(action="pii.reveal").exists()


def test_collector_cannot_reveal(client, collector, delinquent_account):
    give_work(collector, delinquent_account)
    client.force_login(collector)
    response = client.post("/accounts/AC-2001/", {"purpose": "COLLECTION", "reason": "call"})
    assert response.status_code == 403
    assert "13812345678" not in response.text


def test_a_team_lead_reveals_only_within_their_teams(client, role_user, delinquent_account):
    """Issue 10: a team lead could reveal the personal data of accounts outside their teams."""
    lead = role_user("team_lead")
    outsider = make_account(external_id="AC-ELSEWHERE", product=delinquent_account.product)
    give_work(lead, delinquent_account)
    client.force_login(lead)
    form = {"purpose": "COLLECTION", "reason": "the debtor asked"}
    assert client.post("/accounts/AC-ELSEWHERE/", form).status_code == 404
    response = client.post("/accounts/AC-2001/", form)
    assert response.status_code == 200 and "110101199003070015" in response.text
    events = AuditEvent.objects.filter(action="pii.reveal")
    assert [event.object_id for event in events] == [delinquent_account.cardholder.external_id]
    assert outsider.cardholder.external_id not in {e.object_id for e in events}


@pytest.mark.parametrize("role", ["field_agent", "agency_manager", "collector"])
def test_sequential_account_numbers_open_nothing_outside_ones_work(
    client, role_user, delinquent_account, role
):
    """Issue 10: /accounts/<id>/ and /decisions/account/<id>/ answered 200 for any account to
    every role, the field agent and agency manager included."""
    client.force_login(role_user(role))
    for url in ("/accounts/AC-2001/", "/decisions/account/AC-2001/",
                f"/work/accounts/{delinquent_account.pk}/"):
        assert client.get(url).status_code in (403, 404), url


def test_account_page_shows_aging_from_the_ledger(client, collector, delinquent_account):
    """Aging as of the last cycle (like the overview), recomputed from the ledger."""
    give_work(collector, delinquent_account)
    client.force_login(collector)
    html = client.get("/accounts/AC-2001/").text

    days_past_due = (date(2025, 3, 20) - date(2025, 2, 14)).days  # position date − due date
    assert re.search(rf'id="kpi-dpd">{days_past_due}<', html)
    today = timezone.localdate(timezone=ZoneInfo("Asia/Taipei"))
    assert f"{today:%Y-%m-%d}" in html  # the payoff quote is for today
    assert f'id="kpi-past-due">{format_amount(120_000, "TWD")}<' in html
    assert format_amount(1_200_000, "TWD") in html  # the purchase, the principal, the statement
    assert "2025-01-20" in html and "2025-02-14" in html  # statement dates


def test_postings_are_newest_first_and_paginated(client, collector, delinquent_account):
    give_work(collector, delinquent_account)
    for day in range(1, 31):
        Posting.objects.create(
            external_id=f"PAY-{day:02d}", account=delinquent_account, kind="payment",
            amount_minor=100, posting_date=date(2025, 4, day), value_date=date(2025, 4, day),
            source="import",
        )
    client.force_login(collector)

    first = re.findall(r'data-posting="([^"]+)"', client.get("/accounts/AC-2001/").text)
    second = re.findall(
        r'data-posting="([^"]+)"', client.get("/accounts/AC-2001/?page=2").text
    )

    assert first[:3] == ["PAY-30", "PAY-29", "PAY-28"]
    assert len(first) == 25
    assert second == [f"PAY-{d:02d}" for d in range(5, 0, -1)] + ["PO-1"]


def test_bucket_history_is_listed(client, collector, delinquent_account):
    give_work(collector, delinquent_account)
    BucketChange.objects.create(
        account=delinquent_account, changed_on=date(2025, 2, 15), from_bucket="M0",
        to_bucket="M1", days_past_due=1,
    )
    client.force_login(collector)
    html = client.get("/accounts/AC-2001/").text
    section = html[html.index('id="bucket-history"'):html.index('id="statements"')]
    assert "2025-02-15" in section and "M1" in section


def test_unknown_account_is_404(client, collector):
    client.force_login(collector)
    response = client.get("/accounts/NO-SUCH-ACCOUNT/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Not found" in response.text
    assert 'href="/"' in response.text  # the page keeps the layout and a way back


def test_search_goes_straight_to_a_single_match(client, collector, delinquent_account):
    give_work(collector, delinquent_account)
    client.force_login(collector)
    for query in ("AC-2001", "CH-1001"):
        response = client.get("/accounts/", {"q": query})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/AC-2001/"


def test_search_lists_several_accounts_and_says_when_nothing_matches(client, collector):
    holder = make_cardholder(external_id="CH-9")
    give_work(collector, make_account(external_id="AC-9-1", cardholder=holder),
              make_account(external_id="AC-9-2", cardholder=holder))
    make_account(external_id="AC-9-3", cardholder=holder)  # not in the collector's work
    client.force_login(collector)

    several = client.get("/accounts/", {"q": "CH-9"})
    nothing = client.get("/accounts/", {"q": "CH-404"})

    assert several.status_code == 200
    assert "/accounts/AC-9-1/" in several.text and "/accounts/AC-9-2/" in several.text
    assert "/accounts/AC-9-3/" not in several.text
    assert nothing.status_code == 200
    assert "CH-404" in nothing.text and "/accounts/AC-" not in nothing.text


def test_language_switch_renders_the_same_page_in_english_or_chinese(collector):
    client = Client()  # no Accept-Language: the product's default, Simplified Chinese
    client.force_login(collector)

    chinese = client.get("/").text
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").text

    assert '<html lang="zh-hans">' in chinese
    assert switched.status_code == 302
    assert '<html lang="en">' in english
    assert "Portfolio overview" in english
    with translation.override("zh-hans"):
        assert translation.gettext("Portfolio overview") in chinese


def test_browser_language_is_used_without_a_choice(client, collector):
    client.force_login(collector)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").text
    assert '<html lang="en">' in html
    assert re.search(r'value="en" lang="en"\s+aria-pressed="true"', html)
    assert re.search(r'value="zh-hans" lang="zh-hans"\s+aria-pressed="false"', html)


def test_header_shows_user_role_and_logout(client, collector):
    client.force_login(collector)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").text
    assert "Collector" in html
    assert 'action="/logout/" method="post"' in html
    assert 'class="inline-form lang-switch" action="/work/language/" method="post"' in html
