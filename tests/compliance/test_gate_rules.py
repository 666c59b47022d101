"""The pure gate: rules over plain values, no database."""

import os
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import arrears
from arrears.compliance import gate
from arrears.compliance.content import default_words, findings_in
from arrears.compliance.timezones import candidate_zones, zone, zones_for_address

CN = gate.default_pack("CN-BANK")
US = gate.default_pack("US-FDCPA")
SHANGHAI = "上海市浦东新区世纪大道100号"


def ask(pack=CN, **fields):
    fields.setdefault("profile", pack.profile)
    return gate.gate_check(gate.ContactRequest.from_json(fields), pack)


def test_every_shipped_pack_is_valid():
    for profile in gate.PROFILES:
        pack = gate.default_pack(profile)
        assert pack.profile == profile and pack.rules


def test_zones_from_address_phone_and_default():
    assert zones_for_address("200 N Spring St, Los Angeles, CA 90012") == ("America/Los_Angeles",)
    assert zones_for_address("新疆维吾尔自治区乌鲁木齐市") == ("Asia/Shanghai", "Asia/Urumqi")
    assert candidate_zones(address="Los Angeles, CA 90012", phone="+1 212 555 0100") == (
        "America/Los_Angeles", "America/New_York")
    assert candidate_zones(phone="13812345678") == ("Asia/Shanghai",)
    assert candidate_zones() == ("Asia/Shanghai",)
    assert candidate_zones(explicit=("Asia/Taipei",), address="Los Angeles, CA 90012") == (
        "Asia/Taipei",)


def test_strictest_decision_wins():
    answer = ask(at="2025-06-03T10:00:00+08:00", address=SHANGHAI, channel="sms",
                 content="再不还款就曝光你", language="zh",
                 holds=[{"kind": "dispute", "since": "2025-06-01T00:00:00+08:00"}])
    assert answer.decision == "BLOCK"
    assert answer.rule_ids[0] == "CN-04"


def test_a_disabled_rule_does_not_decide():
    pack = gate.RulePackData.from_json(
        {**CN.to_json(), "rules": [dict(r.to_json(), enabled=r.rule_id != "CN-05")
                                   for r in CN.rules]})
    assert ask(pack, at="2025-06-02T23:00:00+08:00", address=SHANGHAI).verdict == "allow"


def test_unanswered_and_connected_counts_use_the_local_day():
    # Six unanswered dials yesterday evening (local) do not count today.
    history = [{"at": f"2025-06-01T{h}:00:00+08:00", "contact_point": "A", "outcome": "no_answer"}
               for h in range(14, 20)]
    assert ask(at="2025-06-02T09:00:00+08:00", address=SHANGHAI, contact_point="A",
               history=history).verdict == "allow"
    assert ask(at="2025-06-01T21:00:00+08:00", address=SHANGHAI, contact_point="A",
               history=history).verdict == "delay"


def test_reminders_do_not_count_towards_connected_calls():
    history = [{"at": f"2025-06-02T{h}:00:00+08:00", "outcome": "right_party",
                "purpose": "reminder"} for h in (10, 11, 12)]
    assert ask(at="2025-06-02T15:00:00+08:00", address=SHANGHAI, history=history).verdict == "allow"


def test_us_rolling_window_counts_each_debt_separately():
    history = [{"at": f"2025-06-0{d}T10:00:00-04:00", "outcome": "no_answer", "debt_ids": ["D2"]}
               for d in range(1, 8)]
    answer = ask(US, at="2025-06-07T16:00:00-04:00", time_zones=["America/New_York"],
                 debt_ids=["D1"], history=history)
    assert answer.verdict == "allow"
    answer = ask(US, at="2025-06-07T16:00:00-04:00", time_zones=["America/New_York"],
                 debt_ids=["D2"], history=history)
    assert answer.verdict == "delay" and answer.rule_ids == ("US-09",)


def test_a_call_about_several_debts_counts_for_each():
    history = [{"at": f"2025-06-0{d}T10:00:00-04:00", "outcome": "no_answer",
                "debt_ids": ["D1", "D2"]} for d in range(1, 8)]
    for debt in ("D1", "D2"):
        assert ask(US, at="2025-06-07T16:00:00-04:00", time_zones=["America/New_York"],
                   debt_ids=[debt], history=history).verdict == "delay"


def test_consent_to_call_back_lasts_seven_local_days_only():
    consent = [{"kind": "callback", "valid_from": "2025-06-01T10:05:00-04:00",
                "valid_until": "2025-06-20T00:00:00-04:00", "reference": "R1"}]
    history = [{"at": "2025-06-02T10:05:00-04:00", "outcome": "right_party"}]
    common = {"time_zones": ["America/New_York"], "history": history, "consents": consent}
    assert ask(US, at="2025-06-07T15:00:00-04:00", **common).decision == "REQUIRE_NOTE"
    answer = ask(US, at="2025-06-08T15:00:00-04:00", **common)
    assert answer.verdict == "delay" and answer.rule_ids == ("US-10",)


def test_opt_out_confirmation_only_once():
    history = [{"at": "2025-06-02T10:00:00-04:00", "channel": "sms",
                "purpose": "opt_out_confirmation", "outcome": "delivered"}]
    answer = ask(US, at="2025-06-02T11:00:00-04:00", time_zones=["America/New_York"],
                 channel="sms", purpose="opt_out_confirmation", opt_outs=["sms"],
                 content="We received your request.", history=history)
    assert answer.verdict == "block" and "US-14" in answer.rule_ids


def test_legal_threat_is_a_warning_without_a_cease_hold_citing_the_content_rule():
    answer = ask(US, at="2025-06-02T11:00:00-04:00", time_zones=["America/New_York"],
                 content="This is a debt collector. We may sue.", language="en")
    assert answer.decision == "WARN" and answer.rule_ids == ("US-CONTENT",)


def test_content_findings_words_and_patterns():
    words = default_words()
    found = {(f.word, f.category) for f in findings_in("他欠我行信用卡3万元", "zh", words)}
    assert ("3万元", "disclosure") in found and ("信用卡", "disclosure") in found
    assert findings_in("The issue is resolved", "en", words) == []
    found = {(f.word, f.category) for f in findings_in("We will SUE you", "en", words)}
    assert ("SUE", "legal_threat") in found
    assert {c for _w, c in found} == {"legal_threat", "clause_break"}


@pytest.mark.parametrize(("data", "field"), [
    ({"at": "2025-06-02T10:00:00"}, "at"),
    ({"at": "2025-06-02T10:00:00Z", "channel": "fax"}, "channel"),
    ({"at": "2025-06-02T10:00:00Z", "time_zones": ["Mars/Olympus"]}, "time_zones[0]"),
    ({"at": "2025-06-02T10:00:00Z", "history": [{"at": "x"}]}, "history[0].at"),
    ({"at": "2025-06-02T10:00:00Z", "holds": [{"kind": "vacation"}]}, "holds[0].kind"),
    ({"at": "2025-06-02T10:00:00Z", "chanel": "sms"}, "chanel"),
    ({"at": "2025-06-02T10:00:00Z", "collectors": "two"}, "collectors"),
])
def test_bad_requests_name_the_field(data, field):
    with pytest.raises(gate.RequestInvalid) as error:
        gate.ContactRequest.from_json(data)
    assert error.value.field == field


def test_request_json_round_trip():
    data = {"at": "2025-06-02T10:00:00Z", "channel": "sms", "opt_outs": ["sms"],
            "history": [{"at": "2025-06-01T10:00:00Z", "outcome": "no_answer"}],
            "no_contact_windows": [{"start": "08:00", "end": "10:00"}]}
    request = gate.ContactRequest.from_json(data)
    assert gate.ContactRequest.from_json(request.to_json()) == request


def test_rule_problems_are_readable():
    assert gate.rule_problems("contact_window", "BLOCK", {"start": "08:00", "end": "22:00"}) == []
    problems = gate.rule_problems("contact_window", "BLOCK", {"start": "8", "end": "22:00"})
    assert any("start" in p for p in problems)
    assert gate.rule_problems("contact_window", "BLOCK", {"start": "22:00", "end": "08:00"})
    assert gate.rule_problems("unanswered_per_contact_point", "BLOCK", {"max": -1})
    assert gate.rule_problems("nope", "BLOCK", {})


ZONES = ["Asia/Shanghai", "Asia/Urumqi", "America/New_York", "America/Los_Angeles",
         "America/Chicago", "Pacific/Honolulu", "Europe/London"]


def _lawful_everywhere(moment, zones, start, end):
    return all(start <= moment.astimezone(zone(z)).time() < end for z in zones)


@settings(max_examples=150, deadline=None)
@given(moment=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 1, 1),
                           timezones=st.just(UTC)),
       zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True),
       profile=st.sampled_from(["CN-BANK", "US-FDCPA"]))
# Shanghai, Urumqi and Chicago share no minute of 08:00-21:00 until Chicago leaves summer time
# on 3 November 2024: the earliest lawful call is 4 November, three days on.
@example(moment=datetime(2024, 11, 1, tzinfo=UTC),
         zones=["Asia/Shanghai", "Asia/Urumqi", "America/Chicago"], profile="US-FDCPA")
def test_the_gate_never_allows_a_call_outside_the_window_of_any_candidate_zone(
        moment, zones, profile):
    pack = CN if profile == "CN-BANK" else US
    window = next(r for r in pack.rules if r.check == "contact_window").params
    start, end = time.fromisoformat(window["start"]), time.fromisoformat(window["end"])
    answer = ask(pack, at=moment.isoformat(), time_zones=zones)
    if answer.verdict == "allow":
        assert _lawful_everywhere(moment, zones, start, end)
    elif answer.verdict == "delay":
        assert answer.not_before > moment
        assert _lawful_everywhere(answer.not_before, zones, start, end)
        assert answer.not_before - moment < timedelta(days=8)  # a week reaches a DST change
        earlier = answer.not_before - timedelta(minutes=1)
        assert earlier < moment or not _lawful_everywhere(earlier, zones, start, end)
    else:
        assert answer.rule_ids  # windows that never overlap are refused with a reason


def test_the_label_catalogue_names_every_check_and_parameter():
    from arrears.compliance.gate import labels, packs

    assert set(labels.CHECK_LABELS) == set(gate.CHECKS)
    assert set(labels.PARAMETERS) == set(packs._PARAM_TYPES)
    assert {kind for _valid, kind in packs._PARAM_TYPES.values()} <= set(labels.KIND_LABELS)


def test_the_gate_and_its_catalogue_import_without_django_settings_or_models():
    """The gate stays pure: it runs (``arrears gate check``) with no settings and no models."""
    code = ("import sys; import arrears.compliance.gate.labels, arrears.compliance.gate; "
            "print(sorted(m for m in sys.modules if m.startswith('arrears') "
            "and m.endswith('models')))")
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    source = str(Path(arrears.__file__).resolve().parents[1])
    environment["PYTHONPATH"] = os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=environment, check=True)
    assert result.stdout.strip() == "[]"
