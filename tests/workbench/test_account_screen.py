"""The one-screen account after the day's work: waivers on the screen and in its balances."""

from datetime import timedelta

import pytest

from arrears.arrangements.models import ApprovalRequest, Waiver
from arrears.ledger.models import AccountPosition, Posting
from arrears.workbench.services import account_today
from tests.factories import make_product
from tests.web.conftest import PASSWORD
from tests.workbench.factories import make_floor

pytestmark = pytest.mark.django_db

INTEREST = 30_000


@pytest.fixture
def owing_interest(role_user):
    """The collector's first account owes 300.00 of interest posted by last night's cycle,
    which aged the account as of yesterday (the cardholder's yesterday)."""
    product = make_product(currency="CNY", time_zone="Asia/Shanghai")
    users = {"collector": role_user("collector"), "team_lead": role_user("team_lead")}
    _run, _team, _seats, accounts = make_floor(users=users, product=product)
    account = accounts[0]
    yesterday = account_today(account) - timedelta(days=1)
    Posting.objects.create(
        external_id="INT-1", account=account, kind="interest", amount_minor=INTEREST,
        posting_date=yesterday, value_date=yesterday, source="cycle",
    )
    AccountPosition.objects.filter(account=account).update(
        as_of=yesterday, accrued_through=yesterday, interest_minor=INTEREST)
    return account


def _login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def _balances_card(html: str) -> str:
    card = html[html.index('id="balances"'):]
    return card[:card.index("</section>")]


def test_a_pending_waiver_is_listed_on_the_account_screen(client, owing_interest):
    client = _login(client, "collector")
    client.post(f"/work/accounts/{owing_interest.pk}/waiver/",
                {"kind": "interest", "amount": "120.00", "note": "hardship"})
    waiver = Waiver.objects.get()
    assert waiver.status == "pending_approval"
    html = client.get(f"/work/accounts/{owing_interest.pk}/").text
    row = html[html.index(f'data-waiver="{waiver.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "interest waiver" in row and "120.00" in row and "pending approval" in row


def test_an_approved_interest_waiver_lowers_the_interest_on_both_account_pages(
        client, owing_interest):
    """The waiver is posted today, after the night that aged the account: the balances must
    show the ledger as booked, not as of the night before."""
    client = _login(client, "collector")
    client.post(f"/work/accounts/{owing_interest.pk}/waiver/",
                {"kind": "interest", "amount": "120.00", "note": "hardship"})
    client.logout()
    client = _login(client, "team_lead")
    request = ApprovalRequest.objects.get()
    client.post(f"/work/team/approvals/{request.pk}/", {"approve": "1", "note": "ok"})
    assert Posting.objects.filter(kind="waiver", amount_minor=12_000).exists()

    card = _balances_card(client.get(f"/work/accounts/{owing_interest.pk}/").text)
    assert "180.00" in card and "300.00" not in card
    account_page = client.get(f"/accounts/{owing_interest.external_id}/").text
    aging = account_page[account_page.index('id="aging"'):]
    aging = aging[:aging.index("</section>")]
    assert "180.00" in aging and "300.00" not in aging
