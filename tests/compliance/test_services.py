"""The gate on the database: requests built from the ledger, holds, consents, opt-outs."""

from datetime import UTC, datetime, timedelta

import pytest

from arrears.audit.models import AuditEvent
from arrears.compliance import services
from arrears.compliance.models import ContactAttempt, GateCheck
from arrears.compliance.selectors import pack_cache_clear
from arrears.portfolio.models import ContactPoint, ThirdPartyContact
from tests.factories import make_account, make_cardholder

pytestmark = pytest.mark.django_db

# 2025-06-02 is a Monday; 02:00 UTC is 10:00 in Shanghai.
MORNING = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)


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
                                         kind="mobile", value="13812345678", verified=True,
                                         source="application")
    ContactPoint.objects.create(external_id=f"{holder.pk}-a", cardholder=holder,
                                kind="billing_address", value="上海市浦东新区世纪大道100号")
    mother = ThirdPartyContact.objects.create(external_id=f"{holder.pk}-e", cardholder=holder,
                                              name="王*", relation="parent", phone="13900000000")
    return account, mobile, mother


def test_gate_ask_stores_the_answer(debtor):
    account, mobile, _mother = debtor
    answer = services.gate_ask(account, channel="call", at=MORNING, contact_point=mobile,
                               reference="call:1")
    assert answer.verdict == "allow" and answer.check_id
    check = GateCheck.objects.get(pk=answer.check_id)
    assert (check.verdict, check.reference, check.profile) == ("allow", "call:1", "CN-BANK")
    assert check.request["address"].startswith("上海")


@pytest.mark.django_db(transaction=True)
def test_an_answer_asked_outside_a_transaction_is_stored_whole(debtor):
    """Outside a caller's transaction PostgreSQL stores the answer in one relaxed-commit
    statement, SQLite through the ORM: both keep every field."""
    account, mobile, _mother = debtor
    evening = MORNING.replace(hour=14, minute=30)  # 22:30 in Shanghai
    answer = services.gate_ask(account, channel="call", at=evening, contact_point=mobile,
                               reference="call:2")
    check = GateCheck.objects.get(pk=answer.check_id)
    assert (check.verdict, check.decision, check.reference) == ("delay", "BLOCK", "call:2")
    assert check.not_before == answer.not_before == MORNING.replace(day=3, hour=0)  # 08:00
    assert check.rule_ids == ",".join(answer.rule_ids) and "CN-05" in check.rule_ids
    assert check.reasons[0]["rule_id"] in answer.rule_ids
    assert check.request["channel"] == "call" and check.at == evening
    assert check.asked_at is not None and check.actor_id is None


def test_the_evening_is_delayed_to_the_next_local_morning(debtor):
    account, mobile, _ = debtor
    answer = services.gate_ask(account, channel="sms", at=datetime(2025, 6, 2, 14, 30, tzinfo=UTC))
    assert answer.verdict == "delay"
    assert answer.not_before == datetime(2025, 6, 3, 0, 0, tzinfo=UTC)  # 08:00 Shanghai


def test_the_ledger_counts_unanswered_dials_per_number(debtor):
    account, mobile, _ = debtor
    for minutes in range(6):
        services.contact_record(account, channel="call", outcome="no_answer", contact_point=mobile,
                                at=MORNING + timedelta(minutes=10 * minutes))
    answer = services.gate_ask(account, channel="call", contact_point=mobile,
                               at=MORNING + timedelta(hours=2))
    assert answer.verdict == "delay" and "CN-06" in answer.rule_ids
    other = ContactPoint.objects.create(external_id="second", cardholder=account.cardholder,
                                        kind="mobile", value="13711112222")
    assert services.gate_ask(account, channel="call", contact_point=other,
                             at=MORNING + timedelta(hours=2)).verdict == "allow"


def test_connected_calls_count_across_the_cardholders_accounts(debtor):
    account, mobile, _ = debtor
    second = make_account(cardholder=account.cardholder)
    for hours in range(3):
        services.contact_record(second if hours else account, channel="call",
                                outcome="right_party", contact_point=mobile,
                                at=MORNING + timedelta(hours=hours))
    answer = services.gate_ask(account, channel="call", contact_point=mobile,
                               at=MORNING + timedelta(hours=5))
    assert answer.verdict == "delay" and "CN-07" in answer.rule_ids


def test_contact_record_takes_the_purpose_of_its_gate_check(debtor):
    account, mobile, _ = debtor
    answer = services.gate_ask(account, channel="sms", purpose="reminder", at=MORNING)
    attempt = services.contact_record(account, channel="sms", outcome="delivered",
                                      check_id=answer.check_id, at=MORNING)
    assert attempt.purpose == "reminder" and not attempt.conversation
    busy = services.contact_record(account, channel="call", outcome="busy", at=MORNING)
    assert busy.excluded_reason == "not_connected"
    with pytest.raises(services.ComplianceError):
        services.contact_record(account, channel="call", outcome="teleported")


def test_holds_place_release_and_snapshot(debtor):
    account, _mobile, _ = debtor
    hold = services.hold_place(account, "plan", reference="plan:7")
    assert [h.pk for h in services.holds_active(account)] == [hold.pk]
    answer = services.gate_ask(account, channel="call")
    assert answer.verdict == "block" and "CN-13" in answer.rule_ids
    now = datetime.now(UTC)
    other = make_account()
    assert services.holds_active_by_account([account.pk, other.pk], now) == {account.pk: ["plan"]}
    assert services.hold_release(account, "plan") == 1
    assert services.holds_active(account) == []
    assert services.holds_active_by_account([account.pk], now + timedelta(seconds=1)) == {}
    assert AuditEvent.objects.filter(action__startswith="compliance.hold").count() == 2
    with pytest.raises(services.ComplianceError):
        services.hold_place(account, "holiday")


def test_a_promise_hold_delays_collection_until_it_is_due(debtor):
    account, _mobile, _ = debtor
    due = datetime.now(UTC) + timedelta(days=3)
    services.hold_place(account, "promise", until=due)
    answer = services.gate_ask(account, channel="call")
    assert answer.verdict == "delay" and answer.not_before >= due


def test_opt_out_consent_and_do_not_call(debtor):
    account, mobile, mother = debtor
    services.opt_out_record(account, "sms", note="said so on the phone")
    assert services.gate_ask(account, channel="sms", at=MORNING).verdict == "block"
    late = datetime(2025, 6, 2, 14, 30, tzinfo=UTC)  # 22:30 Shanghai
    services.consent_record(account, channel="call", valid_from=late - timedelta(minutes=30),
                            valid_until=late + timedelta(minutes=30), reference="REC-1")
    answer = services.gate_ask(account, channel="call", at=late)
    assert (answer.verdict, answer.decision) == ("allow", "REQUIRE_NOTE")
    services.contact_record(account, channel="call", outcome="wrong_number",
                            contact_point=mobile, at=MORNING)
    repair = services.gate_ask(account, channel="call", purpose="contact_repair",
                               counterparty="emergency_contact", third_party=mother,
                               at=MORNING + timedelta(hours=1), content="麻烦您转告他回电",
                               language="zh")
    assert repair.decision == "REQUIRE_NOTE"
    services.third_party_do_not_call(mother)
    again = services.gate_ask(account, channel="call", purpose="contact_repair",
                              counterparty="emergency_contact", third_party=mother,
                              at=MORNING + timedelta(hours=2))
    assert again.verdict == "block" and "CN-02" in again.rule_ids
    with pytest.raises(services.ComplianceError):
        services.consent_record(account, valid_from=late, valid_until=late, reference="x")


def test_the_cardholders_time_zone_wins(debtor):
    account, _mobile, _ = debtor
    holder = account.cardholder
    holder.time_zone = "America/New_York"
    holder.save()
    answer = services.gate_ask(account, channel="call", at=MORNING)  # 22:00 in New York
    assert answer.time_zones == ("America/New_York",) and answer.verdict == "delay"


def test_append_only_ledger_has_the_gate_index():
    names = {index.name for index in ContactAttempt._meta.indexes}
    assert "attempt_cardholder_at" in names


def test_period_exports_have_a_time_index_on_postgresql():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING brin%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE '%_at_brin'")
        names = {row[0] for row in cursor.fetchall()}
    expected = ({"compliance_contactattempt_at_brin", "compliance_gatecheck_at_brin"}
                if connection.vendor == "postgresql" else set())
    assert names == expected


def test_gate_ask_decides_account_actions_with_facts_and_stores_the_action(debtor):
    account, _mobile, _ = debtor
    agency = {"status": "approved", "contract_from": "2025-01-01", "contract_until": "2026-12-31",
              "last_inspection_on": "2025-01-15"}
    blocked = services.gate_ask(account, action="agency_assign", at=MORNING,
                                facts={"agency": agency}, reference="placement:1")
    assert blocked.verdict == "block" and "CN-14" in blocked.rule_ids
    check = GateCheck.objects.get(pk=blocked.check_id)
    assert (check.action, check.channel) == ("agency_assign", "")
    # The stored question keeps what differs from the defaults, not sixty empty fields.
    assert check.request["agency"]["status"] == "approved" and check.request["history"] == 0
    assert "limitations" not in check.request and "moratoria" not in check.request
    allowed = services.gate_ask(account, action="agency_assign", at=MORNING, facts={
        "agency": agency, "entrustment_notice_sent_at": "2025-05-20T10:00:00+08:00"})
    assert allowed.verdict == "allow"
    with pytest.raises(services.ComplianceError) as error:
        services.gate_ask(account, action="agency_assign", at=MORNING,
                          facts={"agency": {"status": "famous"}})
    assert "agency.status" in str(error.value)
    with pytest.raises(services.ComplianceError):
        services.gate_ask(account, action="teleport", at=MORNING)


def test_a_debtor_living_in_the_uk_is_also_asked_about_under_uk_fca(debtor):
    account, _mobile, _ = debtor
    holder = account.cardholder
    holder.time_zone = "Europe/London"
    holder.save()
    # 21:30 in London: lawful for CN-BANK (until 22:00), not for UK-FCA (until 21:00).
    answer = services.gate_ask(account, channel="call", at=datetime(2025, 6, 2, 20, 30,
                                                                    tzinfo=UTC))
    assert [p for p, _v in answer.profiles] == ["CN-BANK", "UK-FCA"]
    assert answer.verdict == "delay" and "UK-07" in answer.rule_ids


def test_a_breathing_space_hold_freezes_interest_postings(debtor, settings):
    account, _mobile, _ = debtor
    settings.ARREARS_COMPLIANCE_PROFILE = "UK-FCA"
    services.hold_place(account, "breathing_space",
                        until=datetime.now(UTC) + timedelta(days=60))
    answer = services.gate_ask(account, action="interest_post")
    assert answer.verdict == "block" and answer.rule_ids == ("UK-16",)
