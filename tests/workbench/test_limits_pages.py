"""The workbench refuses implausible amounts and dates with a message on the page, in money."""

from datetime import timedelta

import pytest
from django.test import Client

from arrears.arrangements.models import Promise, Waiver
from arrears.arrangements.services import account_today
from arrears.workbench.models import Outcome
from tests.factories import make_product
from tests.web.conftest import PASSWORD
from tests.workbench.factories import make_floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(role_user):
    product = make_product(currency="CNY", time_zone="Asia/Shanghai")
    users = {"collector": role_user("collector"), "team_lead": role_user("team_lead")}
    return make_floor(users=users, product=product)[3][0]


def collector(language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username="collector", password=PASSWORD)
    return client


def test_a_promise_of_a_quadrillion_is_refused_on_the_page(account):
    due = account_today(account) + timedelta(days=5)
    response = collector().post(f"/work/accounts/{account.pk}/outcome/", {
        "outcome": "promise", "amount": "999,999,999,999,999", "due_date": due.isoformat()})
    assert response.status_code == 400
    assert "CNY 999,999,999,999,999.00 is more than" in response.content.decode()
    assert not Promise.objects.exists() and not Outcome.objects.exists()


def test_a_next_action_in_the_year_9999_is_refused(account):
    response = collector().post(f"/work/accounts/{account.pk}/outcome/", {
        "outcome": "no_answer", "next_action_on": "9999-12-31"})
    assert response.status_code == 400
    assert "The next action must fall between today" in response.content.decode()
    assert not Outcome.objects.exists()


def test_a_waiver_above_the_interest_owed_is_refused_in_chinese_and_money(account):
    response = collector("zh-hans").post(f"/work/accounts/{account.pk}/waiver/", {
        "kind": "interest", "amount": "999999", "note": "客户申请"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "¥999,999.00" in html and "利息" in html
    assert "超过interest" not in html and "99999900" not in html
    assert not Waiver.objects.exists()
