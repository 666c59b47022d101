"""No code path acts without an allowing answer: every action type through ``gate_then``, and
the nightly cycle's fee and interest postings through the set-at-a-time ``postings_ask``."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.compliance import gate, services
from arrears.compliance.models import GateCheck, Hold
from arrears.compliance.selectors import pack_cache_clear, pack_live
from arrears.ledger.cycle import cycle_run
from arrears.ledger.models import Posting
from arrears.ledger.services import _postings_the_gate_allows
from arrears.portfolio.models import ContactPoint
from tests.factories import make_account, make_cardholder, make_statement
from tests.ledger.test_services import FEB14, JAN20, purchase

pytestmark = pytest.mark.django_db
MORNING = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
AGENCY = {"status": "approved", "contract_from": "2025-01-01", "contract_until": "2026-12-31",
          "last_inspection_on": "2025-01-15"}


@pytest.fixture(autouse=True)
def fresh_packs():
    pack_cache_clear()
    yield
    pack_cache_clear()


@pytest.fixture
def debtor():
    holder = make_cardholder(time_zone="Asia/Shanghai")
    account = make_account(cardholder=holder)
    ContactPoint.objects.create(external_id=f"{holder.pk}-a", cardholder=holder,
                                kind="billing_address", value="上海市浦东新区世纪大道100号")
    return account


FACTS = st.fixed_dictionaries({}, optional={
    "agency": st.sampled_from([AGENCY, {**AGENCY, "status": "suspended"}]),
    "entrustment_notice_sent_at": st.sampled_from(["2025-05-01T00:00:00Z",
                                                   "2025-07-01T00:00:00Z"]),
    "limitations": st.sampled_from([[{"regime": "CN_3Y", "expires_on": "2024-01-01"}],
                                    [{"regime": "CN_3Y", "expires_on": "2030-01-01"}]]),
    "furnishing": st.sampled_from([{"negative": True}, {"negative": False}]),
    "negative_notice_sent_at": st.just("2025-05-01T00:00:00Z"),
    "referral_kind": st.sampled_from(["civil", "criminal", "proof_of_claim"]),
    "moratoria": st.sampled_from([[], [{"kind": "standard", "start": "2025-05-20T00:00:00Z"}]]),
    "sale_flags_statute_barred": st.booleans(),
})


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(action=st.sampled_from(gate.ACTION_TYPES), facts=FACTS,
       hold=st.sampled_from([None, "plan", "bankruptcy", "breathing_space", "dispute"]),
       profile=st.sampled_from(["CN-BANK", "UK-FCA"]),
       hour=st.integers(min_value=0, max_value=23))
def test_no_action_runs_without_an_allowing_answer(debtor, settings, action, facts, hold,
                                                   profile, hour):
    settings.ARREARS_COMPLIANCE_PROFILE = profile
    Hold.objects.filter(account=debtor).delete()
    if hold:
        Hold.objects.create(account=debtor, kind=hold, since=MORNING - timedelta(days=3))
    ran = []
    answer, result = services.gate_then(
        debtor, lambda a: ran.append(a.check_id) or "done", action=action,
        at=MORNING.replace(hour=hour), facts=facts, collectors=2)
    stored = GateCheck.objects.get(pk=answer.check_id)
    assert stored.action == action
    if ran:
        assert result == "done" and stored.verdict == "allow" and ran == [answer.check_id]
    else:
        assert result is None and stored.verdict in ("block", "delay")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(holds=st.lists(st.tuples(
           st.sampled_from(["breathing_space", "mental_health_crisis", "plan", "dispute"]),
           st.integers(min_value=-5, max_value=5), st.one_of(st.none(),
                                                             st.integers(1, 60))),
           max_size=2),
       days=st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=6,
                     unique=True))
def test_the_cycle_filter_books_no_posting_the_gate_would_refuse(debtor, settings, holds,
                                                                days):
    settings.ARREARS_COMPLIANCE_PROFILE = "UK-FCA"
    pack_cache_clear()
    Hold.objects.filter(account=debtor).delete()
    start = date(2025, 6, 1)
    for kind, offset, length in holds:
        since = datetime.combine(start + timedelta(days=offset), datetime.min.time(), UTC)
        Hold.objects.create(account=debtor, kind=kind, since=since,
                            until=since + timedelta(days=length) if length else None)
    accrued = [Posting(external_id=f"INT-{day}", account=debtor, kind=Posting.Kind.INTEREST,
                       amount_minor=50, posting_date=start + timedelta(days=day),
                       value_date=start + timedelta(days=day)) for day in days]
    accrued.append(Posting(external_id="FEE", account=debtor, kind=Posting.Kind.LATE_FEE,
                           amount_minor=500, posting_date=start + timedelta(days=days[0]),
                           value_date=start + timedelta(days=days[0])))
    cache: dict = {}
    allowed = _postings_the_gate_allows({debtor.pk: accrued}, run=None, gate_cache=cache)
    kept = {p.external_id for p in allowed.get(debtor.pk, [])}
    state = tuple(gate.HoldState(h.kind, h.since, h.until)
                  for h in Hold.objects.filter(account=debtor))
    pack = pack_live("UK-FCA")
    for posting in accrued:
        action = "interest_post" if posting.kind == Posting.Kind.INTEREST else "fee_post"
        request = gate.ContactRequest(
            at=datetime.combine(posting.posting_date, datetime.min.time().replace(hour=12), UTC),
            profile="UK-FCA", action=action, holds=state)
        verdict = gate.gate_check(request, pack).verdict
        assert (posting.external_id in kept) == (verdict == "allow"), (posting, verdict)
    assert len(cache.get("refused", [])) == len(accrued) - len(kept)


def test_the_cycle_posts_no_interest_or_fee_during_a_breathing_space(account, settings):
    settings.ARREARS_COMPLIANCE_PROFILE = "UK-FCA"
    pack_cache_clear()
    purchase(account, 100_000)
    make_statement(account=account, cycle_date=JAN20, due_date=FEB14, balance=100_000,
                   minimum=10_000)
    Hold.objects.create(account=account, kind="breathing_space",
                        since=datetime(2026, 2, 10, tzinfo=UTC),
                        until=datetime(2026, 2, 16, 0, 0, tzinfo=UTC))
    cycle_run(as_of=date(2026, 2, 14))
    run = cycle_run(as_of=date(2026, 2, 17))
    # The fee of 15 February and the interest of 15 February fall in the breathing space and
    # are never booked; the interest of 16 and 17 February is.
    assert sorted(Posting.objects.filter(kind="interest").values_list("posting_date",
                                                                       flat=True)) == [
        date(2026, 2, 16), date(2026, 2, 17)]
    assert not Posting.objects.filter(kind="late_fee").exists()
    assert (run.interest_postings, run.fee_postings) == (2, 0)
    refused = GateCheck.objects.filter(reference=f"cycle:{run.pk}")
    assert sorted(refused.values_list("action", flat=True)) == ["fee_post", "interest_post"]
    assert all(check.rule_ids == "UK-16" for check in refused)
