"""The decisions pages with the Django test client, on runs and decisions made directly."""

from datetime import date

import pytest
from django.contrib.auth.models import User

from arrears.audit.models import AuditEvent
from arrears.workbench.models import Collector, QueueEntry, Team
from tests.factories import make_account, make_cardholder
from tests.web.conftest import PASSWORD
from tests.workbench.factories import make_decision, make_run

pytestmark = pytest.mark.django_db

PAGES = ("/decisions/", "/decisions/queue/", "/decisions/account/AC-1/", "/decisions/account/")


@pytest.fixture
def logged_in(client, role_user):
    """Log in a user of ``role``; by default a collections manager, who sees every page."""

    def login(role="collections_manager", username=None):
        user = role_user(role, username)
        assert client.login(username=user.username, password=PASSWORD)
        return user

    return login


@pytest.fixture
def night(product):
    """Two runs; the latest decides five accounts, three of them queued for calls."""
    holder = make_cardholder(external_id="CH-9", name="王小明")
    star = make_account(external_id="AC-1", product=product, cardholder=holder)
    others = [make_account(product=product) for _ in range(4)]
    old = make_run(as_of=date(2025, 3, 19))
    make_decision(
        run=old,
        account=star,
        treatment="sms",
        segment="early_low_risk",
        rule_id="early-sms-1",
        score=640,
    )
    run = make_run(as_of=date(2025, 3, 20), strategy_version="mainland-3", engine="duckdb")
    make_decision(run=run, account=star, expected_recovery_minor=900_000)
    make_decision(run=run, account=others[0], expected_recovery_minor=500_000, arm="sms_first")
    make_decision(run=run, account=others[1], expected_recovery_minor=700_000)
    make_decision(
        run=run, account=others[2], treatment="letter", segment="late", rule_id="late-letter-2"
    )
    make_decision(
        run=run, account=others[3], treatment="sms", segment="early_low_risk", arm="sms_first"
    )
    return {"run": run, "old": old, "star": star, "others": others}


def _queue(run, night_accounts, collector_user):
    team = Team.objects.create(name="Early calls", channel="call", buckets="M1,M2")
    seat = Collector.objects.create(user=collector_user, team=team, daily_capacity=2)
    star, first, second = night_accounts
    for account, collector, rank, recovery in (
        (star, seat, 1, 900_000),
        (second, seat, 2, 700_000),
        (first, None, 1, 500_000),
    ):
        QueueEntry.objects.create(
            run=run,
            account=account,
            team=team,
            collector=collector,
            rank=rank,
            expected_recovery_minor=recovery,
            treatment="call",
            priority=2,
        )
    return team, seat


@pytest.mark.parametrize("url", PAGES)
def test_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_empty_state_before_the_first_run(client, logged_in, product):
    make_run(finished=False)  # a run still publishing is not shown
    logged_in()
    page = client.get("/decisions/").content.decode()
    assert 'id="empty-decisions"' in page
    assert "arrears cycle" in page
    assert 'id="empty-decisions"' in client.get("/decisions/queue/").content.decode()


def test_counts_by_segment_treatment_and_arm(client, logged_in, night):
    logged_in()
    response = client.get("/decisions/")
    page = response.content.decode()
    assert response.context["run"] == night["run"]
    assert 'id="run-as-of">2025-03-20<' in page
    assert 'id="run-accounts">5<' in page
    counts = response.context["counts"]
    assert [(r.key, r.accounts) for r in counts.by_treatment] == [
        ("call", 3),
        ("letter", 1),
        ("sms", 1),
    ]
    assert [(r.key, r.accounts) for r in counts.by_segment] == [
        ("early_high_risk", 3),
        ("early_low_risk", 1),
        ("late", 1),
    ]
    assert [(r.key, r.accounts, r.share) for r in counts.by_arm] == [
        ("champion", 3, 60.0),
        ("sms_first", 2, 40.0),
    ]
    assert '<tr data-key="call"><td>phone call</td>' in page
    # One SVG bar per treatment, the longest for the most frequent.
    chart = response.context["treatment_chart"]
    assert [(b.key, b.width) for b in chart.bars][0] == ("call", 260)
    assert page.count('class="bar-count"') == 3 + 3
    assert 'id="treatment-chart"' in page and 'id="segment-chart"' in page


def test_run_record_counts_are_used_when_the_batch_wrote_them(client, logged_in, night):
    run = night["run"]
    run.counts_by_treatment = {"call": 7, "sms": 3}
    run.accounts = 10
    run.save()
    logged_in()
    counts = client.get("/decisions/").context["counts"]
    assert [(r.key, r.accounts) for r in counts.by_treatment] == [("call", 7), ("sms", 3)]
    assert counts.accounts == 10


def test_queue_summary_per_team_and_collector(client, logged_in, night):
    user = logged_in("collections_manager", "collector")
    team, seat = _queue(night["run"], [night["star"], *night["others"][:2]], user)
    Collector.objects.create(user=User.objects.create_user("idle"), team=team, daily_capacity=30)
    response = client.get("/decisions/")
    (summary,) = response.context["teams"]
    assert (summary.assigned, summary.capacity, summary.pool) == (2, 32, 1)
    assert summary.expected_recovery == {"CNY": 1_600_000}
    assert summary.pool_expected_recovery == {"CNY": 500_000}
    page = response.content.decode()
    assert 'data-collector="collector"' in page and 'data-collector="idle"' in page
    assert "16,000.00 CNY" in page


def test_one_accounts_decision_with_reasons_rule_and_history(client, logged_in, night):
    user = logged_in("strategy_manager")  # may not see personal data in full
    _queue(night["run"], [night["star"], *night["others"][:2]], user)
    response = client.get("/decisions/account/AC-1/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="decision-rule"><code>early-call-3</code>' in page
    assert 'id="decision-treatment" data-code="call">phone call<' in page
    assert 'id="decision-segment" data-code="early_high_risk">early_high_risk<' in page
    assert 'id="decision-score">612<' in page
    assert 'id="decision-probability">82.3%<' in page
    assert 'id="decision-priority">2<' in page
    assert 'id="decision-template"><code>CALL_M1</code><' in page
    assert "<code>DPD_HIGH</code> Many days past due" in page
    assert "<code>PAY_RATIO_LOW</code> Paid little of the recent minimum payments" in page
    assert ('<span translate="no">Early calls</span> · '
            '<span translate="no">strategy_manager</span> · #1') in page
    # Both runs, newest first, with the rule that fired each time.
    history = response.context["history"]
    assert [(d.run.as_of, d.rule_id) for d in history] == [
        (date(2025, 3, 20), "early-call-3"),
        (date(2025, 3, 19), "early-sms-1"),
    ]
    assert "王*" in page and "王小明" not in page
    assert not AuditEvent.objects.filter(action="view_pii").exists()
    assert 'href="/accounts/AC-1/"' in page


def test_decisions_pages_never_show_a_name_in_full(client, logged_in, night):
    """Seeing a name in full is a reveal with a purpose code on the account page, not here."""
    user = logged_in("collector")
    _queue(night["run"], [night["star"], *night["others"][:2]], user)
    page = client.get("/decisions/account/AC-1/").content.decode()
    assert "王*" in page and "王小明" not in page


def test_account_without_a_decision_and_unknown_account(client, logged_in, night, product):
    logged_in()
    make_account(external_id="AC-NEW", product=product)
    page = client.get("/decisions/account/AC-NEW/").content.decode()
    assert 'id="no-decision"' in page
    assert client.get("/decisions/account/NOPE/").status_code == 404


def test_lookup_form_goes_to_the_account(client, logged_in, night):
    logged_in()
    response = client.get("/decisions/account/", {"q": " AC-1 "})
    assert response["Location"] == "/decisions/account/AC-1/"
    assert client.get("/decisions/account/", {"q": ""})["Location"] == "/decisions/"


def test_my_queue_is_ordered_by_expected_recovery(client, logged_in, night):
    user = logged_in("collector")
    _queue(night["run"], [night["star"], *night["others"][:2]], user)
    response = client.get("/decisions/queue/")
    entries = response.context["entries"]
    assert [e.account for e in entries] == [night["star"], night["others"][1]]
    assert [e.recovery_text for e in entries] == ["9,000.00", "7,000.00"]
    page = response.content.decode()
    assert page.index('data-account="AC-1"') < page.index(
        f'data-account="{night["others"][1].external_id}"'
    )
    assert night["others"][0].external_id not in page  # in the pool, not in my queue


def test_my_queue_masks_names_for_roles_without_the_permission(client, logged_in, night):
    user = logged_in("agency_manager")
    _queue(night["run"], [night["star"], *night["others"][:2]], user)
    page = client.get("/decisions/queue/").content.decode()
    assert "王*" in page and "王小明" not in page


def test_someone_without_a_seat_has_an_empty_queue(client, logged_in, night):
    logged_in("team_lead")
    assert 'id="empty-queue"' in client.get("/decisions/queue/").content.decode()


def test_a_collector_does_not_see_the_nights_overview_nor_others_accounts(
    client, logged_in, night
):
    user = logged_in("collector")
    _queue(night["run"], [night["star"], *night["others"][:2]], user)
    assert client.get("/decisions/").status_code == 403
    assert client.get("/decisions/account/AC-1/").status_code == 200
    outside = make_account(external_id="AC-OUTSIDE")
    assert client.get(f"/decisions/account/{outside.external_id}/").status_code == 404


def test_pages_speak_chinese(client, logged_in, night):
    logged_in()
    response = client.get("/decisions/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
