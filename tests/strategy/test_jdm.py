"""A strategy file that cannot be used is refused with a message naming the rule and column."""

import copy
import json

import pytest

from arrears.strategy.jdm import StrategyInvalid, loads, parse, parse_unary
from tests.strategy.conftest import strategy_jdm


def table(jdm):
    return next(n for n in jdm["nodes"] if n["type"] == "decisionTableNode")["content"]


def with_cell(rule_id: str, column: str, text: str) -> dict:
    jdm = strategy_jdm()
    rule = next(r for r in table(jdm)["rules"] if r["_id"] == rule_id)
    rule[column] = text
    return jdm


def test_the_default_strategy_parses(default_jdm):
    parsed = parse(default_jdm)
    assert parsed.rules[0].rule_id == "CN-HOLD-01"
    assert parsed.rules[-1].rule_id == "CN-DEFAULT"
    assert {r.outputs["treatment"] for r in parsed.rules} >= {
        "sms", "call", "letter", "field_visit", "card_block", "agency_placement",
        "legal_review", "write_off_review", "pre_due_reminder", "none"}


@pytest.mark.parametrize(("text", "ops"), [
    ("", []),
    ('"M1"', ["=="]),
    ('"M1", "M2"', ["==", "=="]),
    ("> 5", [">"]),
    (">= 30", [">="]),
    ("[30..59]", ["range"]),
    ("(0..1]", ["range"]),
    ("< 0.5", ["<"]),
    ("true", ["=="]),
    ('not in ["A", "B"]', ["not_in"]),
    ('!= "M0"', ["!="]),
])
def test_supported_cell_forms(text, ops):
    assert [t.op for t in parse_unary(text)] == ops


@pytest.mark.parametrize(("rule", "column", "text", "message"), [
    ("F-02", "i-probability_pay", "-", r"rule F-02, column probability_pay: .*cell empty"),
    ("F-01", "i-bucket", 'not("M0")', r"rule F-01, column bucket: .*!= \"x\""),
    ("F-01", "i-bucket", "M1", r"rule F-01, column bucket: .*cannot read M1"),
    ("F-01", "i-bucket", "> 5", r"rule F-01, column bucket: .*quote the value"),
    ("F-04", "i-days_past_due", '"30"', r"rule F-04, column days_past_due: .*numbers"),
    ("F-04", "i-days_past_due", "[59..30]", r"rule F-04, column days_past_due: .*empty"),
    ("F-02", "i-probability_pay", "< 0.30000000000000001", r"more digits"),
    ("F-01", "i-vip", '"yes"', r"rule F-01, column vip: .*true or false"),
    ("F-01", "i-bucket", "$ > 5 and $ < 7", r"rule F-01, column bucket"),
    ("F-01", "o-treatment", '"telegram"', r"rule F-01, output treatment: 'telegram' is not"),
    ("F-01", "o-priority", "12", r"rule F-01, output priority"),
    ("F-01", "o-rule_id", '""', r"output rule_id: must not be empty"),
    ("F-01", "o-segment", 'bucket + "x"', r"rule F-01, output segment"),
    ("F-02", "o-rule_id", '"F-01"', r"rule id F-01 is used twice"),
    ("F-11", "i-bucket", '"M1"', r"the last rule \(F-11\) must leave every input cell empty"),
])
def test_bad_cells_name_rule_and_column(rule, column, text, message):
    with pytest.raises(StrategyInvalid, match=message):
        parse(with_cell(rule, column, text))


def test_unknown_input_column():
    jdm = strategy_jdm()
    table(jdm)["inputs"][0]["field"] = "shoe_size"
    with pytest.raises(StrategyInvalid, match="input column 'shoe_size' is not a snapshot"):
        parse(jdm)


def test_missing_output_column():
    jdm = strategy_jdm()
    table(jdm)["outputs"] = [o for o in table(jdm)["outputs"] if o["field"] != "template"]
    with pytest.raises(StrategyInvalid, match="no output column template"):
        parse(jdm)


@pytest.mark.parametrize(("change", "message"), [
    (lambda j: table(j).update(hitPolicy="collect"), 'hitPolicy must be "first"'),
    (lambda j: j["nodes"].pop(), "three nodes"),
    (lambda j: j["edges"].pop(), "input → decision table → output"),
    (lambda j: j.update(nodes="x"), '"nodes" list'),
    (lambda j: table(j).update(rules=[]), "no rules"),
])
def test_bad_graphs(change, message):
    jdm = copy.deepcopy(strategy_jdm())
    change(jdm)
    with pytest.raises(StrategyInvalid, match=message):
        parse(jdm)


def test_json_syntax_error_names_the_line():
    text = json.dumps(strategy_jdm(), indent=1).replace('"hitPolicy"', "hitPolicy", 1)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "hitPolicy" in t)
    with pytest.raises(StrategyInvalid, match=f"not valid JSON at line {line}, column"):
        loads(text)
