"""Content is read for what the law requires, by structure and context: required items
(CN-08, CN-10, US-19), limited-content voicemails (US-18, UK-10), overshadowing (US-21),
pressure (UK-05), premium numbers and misleading wording (UK-08, UK-09); a legal threat is
told from a required statement or a denial, and on a time-barred debt it cites US-23."""

import pytest

from arrears.channels.defaults import default_templates
from arrears.channels.templating import render_source, sample_context
from arrears.compliance import gate
from arrears.compliance.content import default_words
from arrears.compliance.gate.reading import Reading
from arrears.compliance.gate.request import ContactRequest

CN = gate.default_pack("CN-BANK")
US = gate.default_pack("US-FDCPA")
UK = gate.default_pack("UK-FCA")
WORDS = default_words()
BARRED = [{"regime": "US_STATE", "expires_on": "2024-01-01"}]
DISCLOSED = "This is a message from a debt collector. "


def ask(pack, **fields):
    fields.setdefault("profile", pack.profile)
    return gate.gate_check(ContactRequest.from_json(fields), pack)


def us(**fields):
    return ask(US, **{"at": "2025-06-02T10:00:00-04:00", "time_zones": ["America/New_York"],
                      "language": "en", **fields})


def uk(**fields):
    return ask(UK, **{"at": "2025-06-02T10:00:00+01:00", "time_zones": ["Europe/London"],
                      "language": "en", **fields})


def cn(**fields):
    return ask(CN, **{"at": "2025-06-02T10:00:00+08:00", "address": "上海市浦东新区",
                      "language": "zh", **fields})


def threats(text, language):
    return [m.word for m in Reading.of(text, language, WORDS).asserted("legal_threat")]


@pytest.mark.parametrize(("text", "language", "threat"), [
    ("If you don't pay, we will sue you.", "en", True),
    ("If you don't pay we will sue you.", "en", True),
    ("We will take legal action.", "en", True),
    ("We will not sue you.", "en", False),
    ("We cannot and will not take legal action against you.", "en", False),
    ("Because of the age of your debt, we will not sue you for it.", "en", False),
    ("Because of the age of your debt, we cannot sue you for it.", "en", False),
    ("如果您不还款，我们将起诉您。", "zh", True),
    ("不还款就起诉你", "zh", True),
    ("如不还款我行起诉", "zh", True),
    ("我们不会起诉您。", "zh", False),
    ("您有权向人民法院提起诉讼。", "zh", False),
])
def test_a_legal_threat_is_told_from_a_denial_or_a_required_statement(text, language, threat):
    assert bool(threats(text, language)) == threat


def test_on_time_barred_debt_a_threat_blocks_citing_us23_a_required_disclosure_does_not():
    disclosure = us(action="letter", limitations=BARRED, content=DISCLOSED + (
        "The law limits how long you can be sued on a debt. Because of the age of your debt, "
        "we will not sue you for it."))
    assert disclosure.verdict == "allow", disclosure.reasons
    threat = us(action="letter", limitations=BARRED,
                content=DISCLOSED + "If you do not pay, we will sue you.")
    assert threat.verdict == "block" and threat.rule_ids[0] == "US-23"
    fresh = us(action="letter", content=DISCLOSED + "If you do not pay, we will sue you.")
    assert (fresh.verdict, fresh.decision, fresh.rule_ids) == ("allow", "WARN", ("US-CONTENT",))


LCM = "Hi, this is Sam from Acme. Please call me back at 212 555 0134. Thank you."


def test_us18_a_limited_content_voicemail_may_be_left():
    answer = us(action="voicemail", content=LCM)
    assert (answer.verdict, answer.decision) == ("allow", "ALLOW")
    assert "US-18" in answer.rule_ids


@pytest.mark.parametrize(("content", "number_type", "verdict", "decision"), [
    ("Hi, this is Sam from Acme. Please call me back about your overdue debt at "
     "212 555 0134.", "mobile", "block", "BLOCK"),
    ("Hi, this is Sam. Please call me back at 212 555 0134.", "mobile", "block", "BLOCK"),
    ("Hi, this is Sam from Acme Collections. Please call me back at 212 555 0134.", "mobile",
     "block", "BLOCK"),
    (DISCLOSED + "This is Sam from Acme about your debt. Call 212 555 0134.", "mobile",
     "allow", "WARN"),
    (DISCLOSED + "This is Sam from Acme about your debt. Call 212 555 0134.",
     "shared_household", "block", "BLOCK"),
])
def test_us18_anything_more_than_limited_content(content, number_type, verdict, decision):
    answer = us(action="voicemail", content=content, number_type=number_type)
    assert (answer.verdict, answer.decision) == (verdict, decision)
    assert "US-18" in answer.rule_ids


def test_us18_a_voicemail_given_slot_by_slot():
    slots = {"salutation": "Hello", "person_name": "This is Sam", "business_name": "from Acme",
             "reply_request": "please call me back", "phone": "212 555 0134"}
    assert us(action="voicemail", message_slots=slots).decision == "ALLOW"
    debt_name = {**slots, "business_name": "from Acme Debt Collection"}
    assert us(action="voicemail", message_slots=debt_name).verdict == "block"
    missing = {k: v for k, v in slots.items() if k != "phone"}
    answer = us(action="voicemail", message_slots=missing)
    assert answer.verdict == "block" and "telephone number" in answer.reasons[0].text
    with pytest.raises(gate.RequestInvalid):
        ContactRequest.from_json({"at": "2025-06-02T10:00:00Z", "message_slots": {"joke": "x"}})


def test_us19_the_debt_collector_disclosure_is_required():
    answer = us(action="email", content="Your account is overdue. Reply STOP to opt out.")
    assert answer.verdict == "block" and answer.rule_ids == ("US-19",)
    assert us(action="email", content=DISCLOSED + "Reply STOP to opt out.").verdict == "allow"
    first = us(action="letter", initial_communication=True, content=DISCLOSED)
    assert first.verdict == "block" and "US-19" in first.rule_ids
    full = us(action="letter", initial_communication=True, content=(
        "This is a communication from a debt collector. This is an attempt to collect a debt "
        "and any information obtained will be used for that purpose."))
    assert full.verdict == "allow"
    # A bank collecting its own debt is not a debt collector: US-FIRST-PARTY has no US-19.
    first_party = ask(gate.default_pack("US-FIRST-PARTY"), at="2025-06-02T10:00:00-04:00",
                      time_zones=["America/New_York"], action="letter",
                      content="Your account is overdue.", language="en")
    assert first_party.verdict == "allow"


def test_cn08_the_caller_says_who_they_are_and_an_agency_names_the_bank():
    anonymous = cn(action="call", content="请尽快还款。")
    assert anonymous.verdict == "block" and "CN-08" in anonymous.rule_ids
    assert cn(action="call", content="您好，我是招商银行信用卡中心的李四。请尽快还款。"
              ).verdict == "allow"
    agency = cn(action="call", acting_party="agency",
                content="您好，我是某某公司的李四，工号1234。请尽快还款。")
    assert agency.verdict == "block" and "CN-08" in agency.rule_ids
    named = cn(action="call", acting_party="agency", entrusting_bank="招商银行",
               content="您好，我是某某公司的李四，工号1234，受招商银行委托联系您。请尽快还款。")
    assert named.verdict == "allow"
    other = cn(action="call", acting_party="agency", entrusting_bank="招商银行",
               content="您好，我是某某公司的李四，工号1234，受某银行委托联系您。请尽快还款。")
    assert other.verdict == "block" and "招商银行" in other.reasons[0].text


def test_cn10_a_letter_without_the_required_items_is_refused():
    answer = cn(action="letter", content="尊敬的张三：您的账户余额为1000元，请尽快还款。")
    assert answer.verdict == "block" and answer.rule_ids == ("CN-10",)
    missing = answer.reasons[0].params["missing"]
    assert "the reason for collection and its legal basis" in missing
    assert "the cardholder's name" not in missing


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_shipped_template_carries_what_cn_bank_requires(language):
    channel_of = {"call_script": "call", "visit_script": "visit"}
    context = sample_context(language)
    for template in default_templates():
        if template["language"] != language:
            continue
        body = render_source(template["body"], context)
        action = channel_of.get(template["channel"], template["channel"])
        answer = cn(action=action, content=body, collectors=2, language=language[:2])
        refused = [r for r in answer.reasons if r.decision == "BLOCK"]
        assert refused == [], (template["code"], language, refused)


def test_us21_nothing_overshadows_the_dispute_right_in_the_validation_period():
    validation = {"notice_sent_at": "2025-05-30T10:00:00-04:00"}
    demand = us(action="letter", validation=validation,
                content=DISCLOSED + "Pay the full balance within 5 days.")
    assert demand.verdict == "block" and demand.rule_ids == ("US-21",)
    rights = us(action="letter", validation=validation, content=DISCLOSED + (
        "You have 30 days to dispute the debt or ask for the original creditor. "
        "You may pay at any time."))
    assert rights.verdict == "allow"
    later = us(action="letter", at="2025-08-01T10:00:00-04:00", validation=validation,
               content=DISCLOSED + "Pay the full balance within 5 days.")
    assert later.verdict == "allow"


@pytest.mark.parametrize(("content", "verdict", "rule"), [
    ("Please pay in full today.", "block", "UK-05"),
    ("You could borrow from family to clear this.", "block", "UK-05"),
    ("You do not need to borrow to pay us; we can agree a plan.", "allow", None),
    ("Please call us on 0909 123 4567.", "block", "UK-08"),
    ("Please call us on 0300 123 4567.", "allow", None),
    ("We tried to deliver a parcel: call us back.", "block", "UK-09"),
])
def test_uk05_uk08_uk09_pressure_premium_numbers_misleading(content, verdict, rule):
    answer = uk(action="letter", content=content)
    assert answer.verdict == verdict
    if rule:
        assert rule in answer.rule_ids


def test_uk10_a_voicemail_says_nothing_about_the_debt():
    answer = uk(action="voicemail", content="This is Sam from Acme about your overdue debt. "
                                            "Call 0300 123 4567.")
    assert answer.verdict == "block" and "UK-10" in answer.rule_ids
    assert uk(action="voicemail", content="Hello, this is Sam from Acme. Please call me back "
                                          "on 0300 123 4567.").verdict == "allow"


def test_a_caller_named_at_the_start_of_a_sentence_is_identified():
    assert cn(action="call", language="", content="This is Li Si from Demo Bank. Please call us "
                                                    "back.").verdict == "allow"
    assert us(action="voicemail", content="This is Sam from Acme. Please call me back at "
                                          "212 555 0134.").decision == "ALLOW"
