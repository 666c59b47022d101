"""Strategies for tests: the shipped default and a small table that uses every cell form."""

import json

import pytest

from arrears.strategy.services import default_strategy_text

FORMS_RULES = [
    # rule id, {column: cell}, treatment, priority
    ("F-01", {"vip": "true", "bucket": '"M1", "M2"'}, "call", 1),
    ("F-02", {"probability_pay": "< 0.5", "utilisation": "[0.25..0.75)"}, "sms", 2),
    ("F-03", {"probability_pay": ">= 0.5", "payment_ratio_3m": "(0..1]"}, "email", 3),
    ("F-04", {"days_past_due": "[30..59]", "score_band": '!= "A"'}, "letter", 4),
    ("F-05", {"days_past_due": "> 5, < 1", "hold": 'not in ["none", "complaint"]'}, "none", 5),
    ("F-06", {"balance_minor": ">= 5000000", "score": "<= 520"}, "field_visit", 6),
    ("F-07", {"score": "(500..600)", "cycles_delinquent": "2"}, "card_block", 7),
    ("F-08", {"score_band": 'not in ["A", "B"]', "previous_treatment": '"call"'},
     "agency_placement", 8),
    ("F-09", {"vip": "false", "days_since_last_payment": "== 9999"}, "pre_due_reminder", 8),
    ("F-10", {"utilisation": "> 1.5", "past_due_minor": "< 100"}, "write_off_review", 8),
    ("F-11", {}, "none", 9),
]


def strategy_jdm(rules=FORMS_RULES) -> dict:
    columns = sorted({c for _id, cells, _t, _p in rules for c in cells})
    outputs = ["rule_id", "segment", "treatment", "template", "priority"]
    rows = []
    for rule_id, cells, treatment, priority in rules:
        row = {"_id": rule_id}
        row.update({f"i-{c}": cells.get(c, "") for c in columns})
        row.update({"o-rule_id": json.dumps(rule_id), "o-segment": json.dumps(f"seg-{rule_id}"),
                    "o-treatment": json.dumps(treatment), "o-template": json.dumps(""),
                    "o-priority": str(priority)})
        rows.append(row)
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "in", "position": {"x": 0, "y": 0}},
            {"id": "t", "type": "decisionTableNode", "name": "t", "position": {"x": 1, "y": 0},
             "content": {"hitPolicy": "first",
                         "inputs": [{"id": f"i-{c}", "name": c, "field": c} for c in columns],
                         "outputs": [{"id": f"o-{o}", "name": o, "field": o} for o in outputs],
                         "rules": rows}},
            {"id": "out", "type": "outputNode", "name": "out", "position": {"x": 2, "y": 0}},
        ],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "t"},
                  {"id": "e2", "sourceId": "t", "targetId": "out"}],
    }


@pytest.fixture
def forms_jdm() -> dict:
    return strategy_jdm()


@pytest.fixture
def default_jdm() -> dict:
    return json.loads(default_strategy_text())
