"""Every action type asks the gate: agency placements, furnishing, referrals, postings, sales,
with the account's and the person's legal state; every applicable profile, strictest wins."""

import pytest

from arrears.compliance import gate
from arrears.compliance.gate.request import ContactRequest

CN = gate.default_pack("CN-BANK")
US = gate.default_pack("US-FDCPA")
UK = gate.default_pack("UK-FCA")
PACKS = {p: gate.default_pack(p) for p in gate.PROFILES}
AT_CN = "2025-06-02T10:00:00+08:00"
AT_US = "2025-06-02T10:00:00-04:00"
AT_UK = "2025-06-02T10:00:00+01:00"
APPROVED = {"status": "approved", "contract_from": "2025-01-01", "contract_until": "2026-12-31",
            "last_inspection_on": "2024-09-01"}


def ask(pack, **fields):
    fields.setdefault("profile", pack.profile)
    return gate.gate_check(ContactRequest.from_json(fields), PACKS if fields.get("profiles")
                           else pack)


def cn(**fields):
    return ask(CN, **{"at": AT_CN, "address": "上海市浦东新区世纪大道100号", **fields})


def us(**fields):
    return ask(US, **{"at": AT_US, "time_zones": ["America/New_York"], **fields})


def uk(**fields):
    return ask(UK, **{"at": AT_UK, "time_zones": ["Europe/London"], **fields})


def test_the_action_types_of_section_0_plus_debt_sale():
    assert gate.ACTION_TYPES == (
        "call", "sms", "email", "letter", "voicemail", "visit", "im", "agency_assign",
        "cra_furnish", "legal_referral", "fee_post", "interest_post", "debt_sale")


def test_an_account_action_has_no_channel_and_contact_rules_do_not_apply():
    request = ContactRequest.from_json({"at": "2025-06-02T23:30:00+08:00", "action": "fee_post"})
    assert (request.action, request.channel, request.is_contact) == ("fee_post", "", False)
    # 23:30 is outside the contact hours, but a fee posting is not a contact.
    assert gate.gate_check(request, CN).verdict == "allow"


def test_channel_and_action_must_agree():
    with pytest.raises(gate.RequestInvalid) as error:
        ContactRequest.from_json({"at": AT_CN, "action": "fee_post", "channel": "sms"})
    assert error.value.field == "channel"


@pytest.mark.parametrize(("agency", "notice", "verdict", "rule"), [
    (APPROVED, "2025-05-20T10:00:00+08:00", "allow", None),
    (APPROVED, None, "block", "CN-14"),
    (APPROVED, "2025-06-05T10:00:00+08:00", "block", "CN-14"),
    ({**APPROVED, "status": "suspended"}, "2025-05-20T10:00:00+08:00", "block", "CN-15"),
    ({**APPROVED, "contract_until": "2025-05-31"}, "2025-05-20T10:00:00+08:00", "block", "CN-15"),
    ({**APPROVED, "last_inspection_on": "2024-05-31"}, "2025-05-20T10:00:00+08:00", "block",
     "CN-15"),
    (None, "2025-05-20T10:00:00+08:00", "block", "CN-15"),
])
def test_agency_placement_cn14_cn15(agency, notice, verdict, rule):
    answer = cn(action="agency_assign", agency=agency, entrustment_notice_sent_at=notice)
    assert answer.verdict == verdict
    if rule:
        assert rule in answer.rule_ids


def test_placement_is_stopped_by_a_current_plan_and_bankruptcy():
    plan = [{"kind": "plan", "since": "2025-01-01T00:00:00+08:00"}]
    answer = cn(action="agency_assign", agency=APPROVED,
                entrustment_notice_sent_at="2025-05-20T10:00:00+08:00", holds=plan)
    assert answer.verdict == "block" and "CN-13" in answer.rule_ids


def test_us23_no_suit_on_time_barred_debt_but_a_proof_of_claim_may_go():
    barred = [{"regime": "US_STATE", "expires_on": "2024-01-01", "debt_id": "D1"}]
    answer = us(action="legal_referral", debt_ids=["D1"], limitations=barred)
    assert answer.verdict == "block" and answer.rule_ids == ("US-23",)
    assert us(action="legal_referral", debt_ids=["D2"], limitations=barred).verdict == "allow"
    bankrupt = [{"kind": "bankruptcy", "since": "2025-05-01T00:00:00-04:00"}]
    claim = us(action="legal_referral", referral_kind="proof_of_claim", debt_ids=["D1"],
               limitations=barred, holds=bankrupt)
    assert claim.verdict == "allow"
    assert us(action="legal_referral", holds=bankrupt).verdict == "block"


def test_us24_furnish_after_speaking_or_fourteen_days_after_a_letter():
    furnishing = {"negative": True}
    notice = {"negative_notice_sent_at": "2025-05-01T10:00:00-04:00"}
    early = us(action="cra_furnish", letter_sent_at="2025-05-25T10:00:00-04:00",
               furnishing=furnishing, **notice)
    assert early.verdict == "delay" and early.rule_ids == ("US-24",)
    assert early.not_before.isoformat() == "2025-06-08T14:00:00+00:00"
    assert us(action="cra_furnish", letter_sent_at="2025-05-10T10:00:00-04:00",
              furnishing=furnishing, **notice).verdict == "allow"
    returned = us(action="cra_furnish", letter_sent_at="2025-05-10T10:00:00-04:00",
                  undeliverable_at="2025-05-15T10:00:00-04:00", furnishing=furnishing, **notice)
    assert returned.verdict == "block"
    spoke = us(action="cra_furnish", history=[{"at": "2025-05-30T10:00:00-04:00",
                                               "outcome": "right_party"}],
               furnishing=furnishing, **notice)
    assert spoke.verdict == "allow"
    never = us(action="cra_furnish", furnishing=furnishing, **notice)
    assert never.verdict == "block" and "US-24" in never.rule_ids


def test_us29_disputes_shown_obsolete_items_not_reported_notice_within_30_days():
    base = {"action": "cra_furnish", "spoke_with_debtor_at": "2025-05-01T10:00:00-04:00"}
    dispute = [{"form": "oral", "received_at": "2025-05-20T10:00:00-04:00"}]
    unmarked = us(disputes=dispute, furnishing={"marks_disputed": False}, **base)
    assert unmarked.verdict == "block" and "US-29" in unmarked.rule_ids
    marked = us(disputes=dispute, furnishing={"marks_disputed": True},
                negative_notice_sent_at="2025-05-01T10:00:00-04:00", **base)
    assert marked.verdict == "allow"
    old = us(furnishing={"delinquency_since": "2017-12-01"},
             negative_notice_sent_at="2025-05-01T10:00:00-04:00", **base)
    assert old.verdict == "block" and "US-29" in old.rule_ids
    unsent = us(furnishing={"negative": True}, **base)
    assert (unsent.verdict, unsent.decision) == ("allow", "WARN")


def test_cn21_no_negative_furnishing_before_the_notice():
    answer = cn(action="cra_furnish", furnishing={"negative": True})
    assert answer.verdict == "block" and "CN-21" in answer.rule_ids
    assert cn(action="cra_furnish", furnishing={"negative": True},
              negative_notice_sent_at="2025-05-01T10:00:00+08:00").verdict == "allow"


def test_cn22_and_cn20_referrals():
    expired = [{"regime": "CN_3Y", "expires_on": "2025-01-01"}]
    answer = cn(action="legal_referral", limitations=expired)
    assert (answer.verdict, answer.decision, answer.rule_ids) == (
        "block", "REQUIRE_APPROVAL", ("CN-22",))
    soon = cn(action="legal_referral", limitations=[{"regime": "CN_3Y",
                                                     "expires_on": "2025-09-01"}])
    assert (soon.verdict, soon.decision) == ("allow", "WARN")
    weak = cn(action="legal_referral", referral_kind="criminal",
              principal_outstanding_minor=6_000_000,
              effective_collections=["2025-01-01T10:00:00+08:00", "2025-01-20T10:00:00+08:00"])
    assert weak.verdict == "block" and weak.decision == "BLOCK" and "CN-20" in weak.rule_ids
    strong = cn(action="legal_referral", referral_kind="criminal",
                principal_outstanding_minor=6_000_000,
                effective_collections=["2025-01-01T10:00:00+08:00", "2025-02-05T10:00:00+08:00"])
    assert (strong.verdict, strong.decision) == ("block", "REQUIRE_APPROVAL")
    assert cn(action="legal_referral", referral_kind="criminal",
              principal_outstanding_minor=6_000_000, approval_reference="LEGAL-7",
              effective_collections=["2025-01-01T10:00:00+08:00", "2025-02-05T10:00:00+08:00"]
              ).verdict == "allow"


def test_uk16_breathing_space_freezes_fees_and_interest_and_delays_payment_requests():
    moratorium = [{"kind": "standard", "start": "2025-05-20T00:00:00+01:00",
                   "end": "2025-07-19T00:00:00+01:00"}]
    for action in ("fee_post", "interest_post"):
        answer = uk(action=action, moratoria=moratorium)
        assert answer.verdict == "block" and answer.rule_ids == ("UK-16",)
        assert answer.not_before is None
    call = uk(action="call", moratoria=moratorium)
    # The breathing space ends at midnight; the next lawful hour is 08:00 London.
    assert call.verdict == "delay" and call.not_before.isoformat() == "2025-07-19T07:00:00+00:00"
    referral = uk(action="legal_referral", moratoria=moratorium)
    assert referral.verdict == "delay" and "UK-16" in referral.rule_ids
    placed = uk(action="agency_assign", moratoria=moratorium)
    assert (placed.verdict, placed.decision) == ("allow", "WARN")
    assert uk(action="fee_post").verdict == "allow"


def test_a_breathing_space_recorded_as_a_hold_counts():
    hold = [{"kind": "breathing_space", "since": "2025-05-20T00:00:00+01:00",
             "until": "2025-07-19T00:00:00+01:00"}]
    assert uk(action="interest_post", holds=hold).verdict == "block"


def test_uk14_statute_barred_debts():
    barred = [{"regime": "EWNI_6Y", "expires_on": "2024-03-01"}]
    assert uk(action="legal_referral", limitations=barred).verdict == "block"
    assert uk(action="debt_sale", limitations=barred).verdict == "block"
    assert uk(action="debt_sale", limitations=barred,
              sale_flags_statute_barred=True).verdict == "allow"
    assert uk(action="call", limitations=barred).verdict == "allow"
    cited = [{**barred[0], "customer_cited": True}]
    answer = uk(action="call", limitations=cited)
    assert answer.verdict == "block" and "UK-14" in answer.rule_ids
    reminder = uk(action="letter", purpose="reminder", limitations=cited)
    assert reminder.verdict == "block" and "UK-14" in reminder.rule_ids
    scottish = [{"regime": "SCOT_5Y", "expires_on": "2024-03-01"}]
    for action in ("call", "letter", "agency_assign", "interest_post", "cra_furnish"):
        assert uk(action=action, limitations=scottish).verdict == "block", action


def test_uk02_uk13_uk15_escalation_capacity_ombudsman():
    assert uk(action="agency_assign", forbearance_assessment_open=True).rule_ids == ("UK-02",)
    assert uk(action="legal_referral", ombudsman_complaint_open=True).rule_ids == ("UK-15",)
    answer = uk(action="call", capacity_concern=True)
    assert answer.verdict == "block" and "UK-13" in answer.rule_ids
    visit = uk(action="visit", vulnerable=True, collectors=1)
    assert visit.verdict == "block" and "UK-12" in visit.rule_ids
    call = uk(action="call", vulnerable=True)
    assert (call.verdict, call.decision, call.rule_ids) == ("allow", "WARN", ("UK-17",))
    assert uk(action="legal_referral", referral_kind="statutory_demand").decision == \
        "REQUIRE_APPROVAL"


def test_us20_us22_validation_notice_and_written_disputes_per_debt():
    late = us(validation={"initial_communication_at": "2025-05-20T10:00:00-04:00"})
    assert late.verdict == "block" and late.rule_ids == ("US-20",)
    validation = {"initial_communication_at": "2025-05-20T10:00:00-04:00",
                  "notice_sent_at": "2025-05-20T10:00:00-04:00"}
    written = [{"form": "written", "received_at": "2025-05-28T10:00:00-04:00",
                "debt_id": "D1"}]
    blocked = us(validation=validation, disputes=written, debt_ids=["D1"])
    assert blocked.verdict == "block" and blocked.rule_ids == ("US-22",)
    assert us(validation=validation, disputes=written, debt_ids=["D2"]).verdict == "allow"
    verified = [{**written[0], "verification_sent_at": "2025-06-01T10:00:00-04:00"}]
    assert us(validation=validation, disputes=verified, debt_ids=["D1"]).verdict == "allow"
    oral = [{**written[0], "form": "oral"}]
    assert us(validation=validation, disputes=oral, debt_ids=["D1"]).verdict == "allow"
    outside = [{**written[0], "received_at": "2025-05-31T10:00:00-04:00"}]
    assert us(validation={**validation, "period_ends_at": "2025-05-30T00:00:00-04:00"},
              disputes=outside, debt_ids=["D1"]).verdict == "allow"


def test_us28_tcpa_consent_per_number_and_technology():
    consent = [{"contact_point": "M1", "technology": "autodialer",
                "given_at": "2025-01-01T00:00:00Z"}]
    base = {"action": "call", "contact_point": "M1", "number_type": "mobile"}
    assert us(dialing="autodialer", tcpa_consents=consent, **base).verdict == "allow"
    assert us(dialing="prerecorded", tcpa_consents=consent, **base).verdict == "block"
    assert us(dialing="manual", **base).verdict == "allow"
    revoked = [{**consent[0], "revoked_at": "2025-06-01T00:00:00Z"}]
    answer = us(dialing="autodialer", tcpa_consents=revoked, **base)
    assert answer.verdict == "block" and answer.rule_ids == ("US-28",)
    landline = {**base, "number_type": "landline"}
    assert us(dialing="autodialer", **landline).verdict == "allow"


def test_contact_preferences_times_places_channels():
    after_two = [{"start": "14:00", "end": "20:00"}]
    answer = us(contact_windows=after_two)
    assert answer.verdict == "delay" and answer.not_before.isoformat() == \
        "2025-06-02T18:00:00+00:00"
    assert us(action="sms", contact_channels=["email"]).verdict == "block"
    assert us(action="email", contact_channels=["email"],
              content="Hello from a debt collector. Reply STOP to opt out.").verdict == "allow"
    work = us(action="call", number_type="workplace", no_contact_places=["workplace"])
    assert work.verdict == "block" and work.rule_ids == ("US-03",)
    visit = uk(action="visit", place="workplace", no_contact_places=["workplace"],
               collectors=1)
    assert visit.verdict == "block" and "UK-07" in visit.rule_ids


def test_an_inbound_call_is_not_held_to_the_limits_on_initiating_contact():
    late = "2025-06-02T22:30:00-04:00"
    assert us(at=late, action="call").verdict == "delay"
    cease = [{"kind": "cease_contact", "since": "2025-05-01T00:00:00-04:00"}]
    inbound = us(at=late, action="call", direction="inbound", holds=cease)
    assert inbound.verdict == "allow"


def test_every_applicable_profile_is_evaluated_and_the_strictest_wins():
    # A Chinese bank's customer living in London: CN-BANK allows 21:30 London time …
    at = "2025-06-02T21:30:00+01:00"
    alone = ask(CN, at=at, time_zones=["Europe/London"])
    assert alone.verdict == "allow"
    both = ask(CN, at=at, time_zones=["Europe/London"], profiles=["UK-FCA"])
    # … UK-FCA's 21:00 does not: the next lawful moment is 08:00 London.
    assert both.verdict == "delay" and "UK-07" in both.rule_ids
    assert both.not_before.isoformat() == "2025-06-03T07:00:00+00:00"
    assert [p for p, _v in both.profiles] == ["CN-BANK", "UK-FCA"]
    assert {r.profile for r in both.reasons} == {"UK-FCA"}


def test_a_delay_says_what_still_applies_at_its_time():
    consent_free = ask(CN, at="2025-06-02T23:00:00+08:00", address="上海市", action="visit",
                       collectors=2)
    assert consent_free.verdict == "delay"
    assert consent_free.then_decision == "REQUIRE_APPROVAL"
    assert [r.rule_id for r in consent_free.then_reasons] == ["CN-17"]
    assert consent_free.to_json()["then_reasons"][0]["decision"] == "REQUIRE_APPROVAL"


def test_the_gate_refuses_a_profile_without_a_pack():
    request = ContactRequest.from_json({"at": AT_CN, "profiles": ["UK-FCA"]})
    with pytest.raises(gate.PackMissing):
        gate.gate_check(request, {"CN-BANK": CN})
