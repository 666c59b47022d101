"""Requests that make no sense are refused with a message naming the field, never silently
accepted and never a traceback (the pure reader, and `arrears gate check FILE`)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.compliance import gate
from arrears.compliance.gate.request import ContactRequest

CN = gate.default_pack("CN-BANK")
US = gate.default_pack("US-FDCPA")
AT = "2025-06-02T10:00:00+08:00"


def ask(pack=CN, **fields):
    fields.setdefault("profile", pack.profile)
    fields.setdefault("at", AT)
    return gate.gate_check(ContactRequest.from_json(fields), pack)


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"opt_outs": "sms"}, "opt_outs", "not a string"),
    ({"debt_ids": "D1"}, "debt_ids", "not a string"),
    ({"history": "none"}, "history", "not a string"),
    ({"no_contact_places": "work_phone"}, "no_contact_places", "not a string"),
    ({"collectors": True}, "collectors", "whole number"),
    ({"plan_months": False}, "plan_months", "whole number"),
    ({"plan_months": 12.5}, "plan_months", "whole number"),
    ({"collectors": "2"}, "collectors", "whole number"),
    ({"collectors": -1}, "collectors", "outside"),
    ({"debtor_unreachable": 1}, "debtor_unreachable", "true or false"),
    ({"debtor_unreachable": "yes"}, "debtor_unreachable", "true or false"),
    ({"phone": 13812345678}, "phone", "a string is required"),
    ({"at": "0001-01-01T00:00:00+14:00"}, "at", "outside the years"),
    ({"at": "9999-12-31T23:59:59-12:00"}, "at", "outside the years"),
    ({"at": "1900-06-02T10:00:00Z"}, "at", "outside the years"),
    ({"at": 1748829600}, "at", "date-time string is required"),
    ({"at": None}, "at", "required"),
    ({"history": [{"at": "2300-01-01T00:00:00Z"}]}, "history[0].at", "outside the years"),
    ({"holds": [{"kind": "dispute", "since": "2025-06-05T00:00:00Z",
                 "until": "2025-06-01T00:00:00Z"}]}, "holds[0].until", "ends before it starts"),
    ({"consents": [{"valid_from": "2025-06-05T00:00:00Z", "valid_until": "2025-06-01T00:00:00Z",
                    "reference": "R"}]}, "consents[0].valid_until", "ends before it starts"),
    ({"no_contact_windows": [{"start": "10:00", "end": "10:00"}]}, "no_contact_windows[0]",
     "starts when it ends"),
    ({"no_contact_windows": [{"start": "25:00", "end": "10:00"}]},
     "no_contact_windows[0].start", "HH:MM"),
    ({"no_contact_windows": [{"start": "09:00", "end": "10:00", "days": 3}]},
     "no_contact_windows[0].days", "unknown field"),
    ({"no_contact_windows": {"start": "09:00", "end": "10:00"}}, "no_contact_windows",
     "a list is required"),
    ({"opt_outs": ["sms", "fax"]}, "opt_outs[1]", "not one of"),
    ({"debt_ids": [True]}, "debt_ids[0]", "non-empty string"),
    ({"channel": ["call"]}, "channel", "not one of"),
])
def test_nonsense_is_refused_with_the_field_and_what_is_expected(data, field, words):
    with pytest.raises(gate.RequestInvalid) as error:
        ContactRequest.from_json({"at": AT, **data})
    assert error.value.field == field
    assert words in error.value.message


def test_a_no_contact_window_that_crosses_midnight_covers_the_night():
    night = [{"start": "20:00", "end": "09:00"}]
    at = {"pack": US, "time_zones": ["America/New_York"], "no_contact_windows": night}
    evening = ask(at="2025-06-02T20:30:00-04:00", **at)
    assert evening.verdict == "delay" and "US-03" in evening.rule_ids
    assert evening.not_before.isoformat() == "2025-06-03T13:00:00+00:00"  # 09:00 New York
    morning = ask(at="2025-06-03T08:30:00-04:00", **at)
    assert morning.verdict == "delay" and morning.not_before.isoformat().startswith(
        "2025-06-03T13:00")
    assert ask(at="2025-06-03T12:00:00-04:00", **at).verdict == "allow"


def test_the_request_round_trips_through_json_with_windows():
    data = {"at": AT, "no_contact_windows": [{"start": "22:00", "end": "07:00"}],
            "holds": [{"kind": "dispute", "since": "2025-06-01T00:00:00Z"}]}
    request = ContactRequest.from_json(data)
    assert ContactRequest.from_json(request.to_json()) == request


@pytest.mark.parametrize(("pack", "message"), [
    ([1, 2], "a rule pack is a JSON object"),
    ({"profile": "CN-BANK", "rules": "none"}, "rules must be a non-empty list"),
    ({"profile": "CN-BANK", "rules": ["CN-05"]}, "rules[0] must be an object"),
    ({"profile": "CN-BANK", "rules": [{"id": "X", "check": "hold", "enabled": "yes",
                                       "params": {"hold": "dispute"}}]}, "enabled must be"),
    ({"profile": "CN-BANK", "default_time_zone": "Mars/Base",
      "rules": [{"id": "X", "check": "servicing_reminder"}]}, "default_time_zone"),
    ({"profile": "CN-BANK", "rules": [{"id": "X", "check": "servicing_reminder"},
                                      {"id": "X", "check": "servicing_reminder"}]},
     "used twice"),
])
def test_a_pack_file_that_makes_no_sense_is_refused(pack, message):
    with pytest.raises(gate.PackInvalid) as error:
        gate.RulePackData.from_json(pack)
    assert message in str(error.value)


def test_gate_check_refuses_a_bad_pack_file_with_exit_2(tmp_path):
    request, pack = tmp_path / "request.json", tmp_path / "pack.json"
    request.write_text(json.dumps({"at": AT}), encoding="utf-8")
    pack.write_text(json.dumps({"profile": "CN-BANK", "rules": [[]]}), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("gate", "check", str(request), "--pack", str(pack))
    assert error.value.returncode == 2 and "rules[0] must be an object" in str(error.value)


FIELDS = [f for f in ContactRequest.READERS if f != "at"] + ["nonsense"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**12) | st.floats(allow_nan=False)
    | st.text(max_size=12) | st.sampled_from(
        ["sms", "call", "debtor", "dispute", "08:00", "22:00", "2025-06-02T10:00:00Z",
         "2025-06-02", "Asia/Shanghai", "US-FDCPA", "emergency_contact", "contact_repair"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["at", "kind", "since", "until", "start", "end", "outcome",
                         "valid_from", "valid_until", "channel", "x"]), inner, max_size=4),
    max_leaves=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6),
       at=st.sampled_from([AT, "2025-06-02T23:30:00-04:00", "2099-12-31T23:59:00Z",
                           "1950-01-01T00:00:00Z", "junk", None]))
def test_any_json_is_answered_or_refused_never_a_traceback(data, at):
    data = {**data, "at": at} if at is not None else data
    try:
        request = ContactRequest.from_json(data)
    except gate.RequestInvalid as error:
        assert error.field and error.message
        return
    answer = gate.gate_check(request, US if request.profile.startswith("US") else CN)
    assert answer.verdict in ("allow", "delay", "block")


@pytest.mark.parametrize("text", [
    '{"at": "2025-06-02T10:00:00Z", "opt_outs": "sms"}',
    '{"at": "2025-06-02T10:00:00Z", "collectors": true}',
    '{"at": "2025-06-02T10:00:00Z", "holds": [{"kind": "dispute", '
    '"since": "2025-06-03T00:00:00Z", "until": "2025-06-02T00:00:00Z"}]}',
    '{"request": 5, "expected": {}}',
])
def test_gate_check_file_refuses_nonsense_with_exit_2(tmp_path, text):
    path = tmp_path / "request.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("gate", "check", str(path), "--pack", str(gate.pack_file("CN-BANK")),
                     stdout=StringIO())
    assert error.value.returncode == 2 and "field" in str(error.value)
