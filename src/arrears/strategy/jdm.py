"""Reading a strategy written in the open JDM decision-model format (GoRules).

A strategy is a graph of three nodes — an input node, one decision table with hit policy
"first", an output node — joined by two edges. Each table input reads one snapshot or score
column by name; each cell holds a unary test. Each table output writes one decision field; each
cell holds a literal. This module turns the JSON into plain values (:class:`DecisionTable`) and
says precisely what is wrong with a file that does not fit, naming the rule and the column.

The unary tests understood here are exactly those that zen-engine 2.1.3 and the Ibis compiler
evaluate the same way (checked by ``tests/strategy/test_compile.py``)::

    (empty)            any value
    "M1"               equal            "M1", "M2"     one of (any alternative may match)
    5  0.5  true       equal            > 5  >= 30  < 0.5  <= 9  != "M0"  == 3
    [30..59]           range, closed    (30..59)  [30..59)  (30..59]  half-open or open
    not in ["a", "b"]  none of

Two forms that look natural are refused because zen-engine 2.1.3 silently never fires a rule
that uses them: ``-`` (leave the cell empty for "any") and ``not("x")`` (write ``!= "x"``).
"""

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

# The decision input: snapshot columns and score columns (docs/strategy.md lists them).
STRING, INTEGER, FLOAT, BOOLEAN = "string", "integer", "float", "boolean"
INPUT_COLUMNS: dict[str, str] = {
    "account_id": INTEGER,
    "account_external_id": STRING,
    "product": STRING,
    "currency": STRING,
    "bucket": STRING,
    "days_past_due": INTEGER,
    "cycles_delinquent": INTEGER,
    "balance_minor": INTEGER,
    "past_due_minor": INTEGER,
    "credit_limit_minor": INTEGER,
    "days_since_last_payment": INTEGER,
    "payment_ratio_3m": FLOAT,
    "utilisation": FLOAT,
    "promise_status": STRING,
    "hold": STRING,
    "previous_treatment": STRING,
    "language": STRING,
    "region": STRING,
    "vip": BOOLEAN,
    "score": INTEGER,
    "probability_pay": FLOAT,
    "score_band": STRING,
    "reason_1": STRING,
    "reason_2": STRING,
    "reason_3": STRING,
}
SCORE_COLUMNS = ("score", "probability_pay", "score_band", "reason_1", "reason_2", "reason_3")

TREATMENTS = (
    "none", "pre_due_reminder", "sms", "email", "letter", "call", "field_visit", "card_block",
    "agency_placement", "legal_review", "write_off_review",
)
OUTPUT_FIELDS = ("rule_id", "segment", "treatment", "template", "priority")
MAX_TEXT = {"rule_id": 80, "segment": 60, "template": 60}

CONTENT_TYPE = "application/vnd.gorules.decision"


class StrategyInvalid(Exception):
    """A strategy file that cannot be used; the message names the rule and column at fault."""


@dataclass(frozen=True)
class Test:
    """One alternative of a unary test: ``op`` is one of == != < <= > >= range not_in."""

    op: str
    value: object = None
    high: object = None
    low_closed: bool = True
    high_closed: bool = True


@dataclass(frozen=True)
class Cell:
    column: str
    text: str
    tests: tuple[Test, ...]  # empty: any value; otherwise any of them

    @property
    def matches_anything(self) -> bool:
        return not self.tests


@dataclass(frozen=True)
class Rule:
    rule_id: str
    cells: tuple[Cell, ...]
    outputs: dict


@dataclass(frozen=True)
class DecisionTable:
    columns: tuple[str, ...]
    rules: tuple[Rule, ...]


_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_STRING = re.compile(r'"([^"\\]*)"|\'([^\'\\]*)\'')
_COMPARISON = re.compile(r"(==|!=|<=|>=|<|>)\s*(.+)")
_RANGE = re.compile(r"([\[(])\s*(\S+?)\s*\.\.\s*(\S+?)\s*([\])])")
_NOT_IN = re.compile(r"not\s+in\s*\[(.*)\]")


class _CellError(Exception):
    pass


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside quotes and brackets."""
    parts, depth, quote, current = [], 0, "", []
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return parts


def _number(text: str) -> int | Decimal:
    if not _NUMBER.fullmatch(text):
        raise _CellError(_("%(text)s is not a number") % {"text": text})
    value = Decimal(text)
    # A literal with more digits than a float holds would compare differently in zen-engine
    # (exact decimals) and in the batch (floats).
    try:
        exact = Decimal(repr(float(value))) == value
    except (InvalidOperation, OverflowError):
        exact = False
    if not exact:
        raise _CellError(_("%(text)s has more digits than a floating-point number holds")
                         % {"text": text})
    return int(value) if value == value.to_integral_value() and "." not in text \
        and "e" not in text.lower() else value


def _literal(text: str) -> object:
    match = _STRING.fullmatch(text)
    if match:
        return match.group(1) if match.group(1) is not None else match.group(2)
    if text in ("true", "false"):
        return text == "true"
    return _number(text)


def parse_unary(text: str) -> tuple[Test, ...]:
    """Parse one input cell into its alternatives; raises ``_CellError`` with the reason."""
    text = text.strip()
    if not text:
        return ()
    if text == "-":
        raise _CellError(_('"-" is not "any value" in zen-engine (the rule would never fire); '
                           "leave the cell empty"))
    if re.match(r"not\s*\(", text):
        raise _CellError(_('zen-engine cannot evaluate not(...) on a value (the rule would never '
                           'fire); write != "x" or not in ["x", "y"]'))
    match = _NOT_IN.fullmatch(text)
    if match:
        values = tuple(_literal(part) for part in _split_top_level(match.group(1)) if part)
        if not values:
            raise _CellError(_("not in [...] needs at least one value"))
        return (Test("not_in", values),)
    tests = []
    for part in _split_top_level(text):
        if not part:
            raise _CellError(_("an empty alternative between commas"))
        tests.append(_alternative(part))
    return tuple(tests)


def _alternative(text: str) -> Test:
    match = _RANGE.fullmatch(text)
    if match:
        low, high = _number(match.group(2)), _number(match.group(3))
        if low > high:
            raise _CellError(_("the range %(text)s is empty") % {"text": text})
        return Test("range", low, high, match.group(1) == "[", match.group(4) == "]")
    match = _COMPARISON.fullmatch(text)
    if match:
        return Test(match.group(1), _literal(match.group(2).strip()))
    try:
        return Test("==", _literal(text))
    except _CellError:
        raise _CellError(_("cannot read %(text)s: write a quoted string, a number, true/false, "
                           "a comparison such as > 5, a range such as [30..59] or "
                           'not in ["x"]') % {"text": text}) from None


def _check_types(tests: tuple[Test, ...], kind: str) -> None:
    for test in tests:
        values = test.value if test.op == "not_in" else (test.value,)
        if test.op == "range":
            values = (test.value, test.high)
        for value in values:
            if kind == STRING and not isinstance(value, str):
                raise _CellError(_("the column holds text; quote the value: \"%(v)s\"")
                                 % {"v": value})
            if kind == BOOLEAN and not isinstance(value, bool):
                raise _CellError(_("the column is true or false"))
            if kind in (INTEGER, FLOAT) and (isinstance(value, (str, bool))):
                raise _CellError(_("the column holds numbers, not %(v)r") % {"v": value})
        if kind in (STRING, BOOLEAN) and test.op in ("<", "<=", ">", ">=", "range"):
            raise _CellError(_("only numbers can be compared with <, >, or a range"))


def _output_value(field: str, text: str) -> object:
    text = text.strip()
    if field == "priority":
        if not re.fullmatch(r"[1-9]", text):
            raise _CellError(_("priority must be a whole number from 1 (highest) to 9"))
        return int(text)
    match = _STRING.fullmatch(text)
    if not match:
        raise _CellError(_('write a quoted text value, e.g. "sms" (or "" for none)'))
    value = match.group(1) if match.group(1) is not None else match.group(2)
    if field == "treatment" and value not in TREATMENTS:
        raise _CellError(_("%(value)r is not a treatment; use one of: %(allowed)s")
                         % {"value": value, "allowed": ", ".join(TREATMENTS)})
    if field in ("rule_id", "segment") and not value:
        raise _CellError(_("must not be empty"))
    if len(value) > MAX_TEXT.get(field, 1000):
        raise _CellError(_("longer than %(n)d characters") % {"n": MAX_TEXT[field]})
    return value


def loads(text: str | bytes) -> dict:
    """Parse the JSON of a strategy file; a syntax error names its line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise StrategyInvalid(_("not valid JSON at line %(line)d, column %(column)d: %(msg)s")
                              % {"line": error.lineno, "column": error.colno,
                                 "msg": error.msg}) from None
    except UnicodeDecodeError:
        raise StrategyInvalid(_("the file is not UTF-8 text")) from None
    if not isinstance(data, dict):
        raise StrategyInvalid(_("the file must hold one JSON object with nodes and edges"))
    return data


def _node(nodes: list, kind: str) -> dict:
    found = [n for n in nodes if isinstance(n, dict) and n.get("type") == kind]
    if len(found) != 1:
        raise StrategyInvalid(_("the graph needs exactly one %(kind)s, found %(n)d")
                              % {"kind": kind, "n": len(found)})
    return found[0]


def table_content(jdm: dict) -> dict:
    """Check the graph (input → decision table → output) and return the table's content."""
    nodes, edges = jdm.get("nodes"), jdm.get("edges")
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise StrategyInvalid(_('a JDM graph needs a "nodes" list and an "edges" list'))
    if jdm.get("contentType", CONTENT_TYPE) != CONTENT_TYPE:
        raise StrategyInvalid(_("contentType must be %(type)s") % {"type": CONTENT_TYPE})
    if len(nodes) != 3:
        raise StrategyInvalid(_("the graph must have three nodes (input, decision table, "
                                "output), found %(n)d") % {"n": len(nodes)})
    source = _node(nodes, "inputNode")
    table = _node(nodes, "decisionTableNode")
    sink = _node(nodes, "outputNode")
    links = {(e.get("sourceId"), e.get("targetId")) for e in edges if isinstance(e, dict)}
    if links != {(source.get("id"), table.get("id")), (table.get("id"), sink.get("id"))}:
        raise StrategyInvalid(_("the edges must join input → decision table → output"))
    content = table.get("content")
    if not isinstance(content, dict):
        raise StrategyInvalid(_("the decision table has no content"))
    if content.get("hitPolicy") != "first":
        raise StrategyInvalid(_('the decision table\'s hitPolicy must be "first", not %(p)r')
                              % {"p": content.get("hitPolicy")})
    return content


def parse(jdm: dict) -> DecisionTable:
    """The decision table of a JDM graph, every cell checked; raises :class:`StrategyInvalid`."""
    content = table_content(jdm)
    inputs, outputs, rules = (content.get(k) for k in ("inputs", "outputs", "rules"))
    if not isinstance(inputs, list) or not isinstance(outputs, list) or not isinstance(rules, list):
        raise StrategyInvalid(_("the decision table needs inputs, outputs and rules lists"))
    input_ids = []
    for column in inputs:
        field = column.get("field") if isinstance(column, dict) else None
        if field not in INPUT_COLUMNS:
            raise StrategyInvalid(
                _("input column %(field)r is not a snapshot or score column; known columns: "
                  "%(known)s") % {"field": field, "known": ", ".join(INPUT_COLUMNS)})
        if not column.get("id"):
            raise StrategyInvalid(_("input column %(field)s has no id") % {"field": field})
        input_ids.append((column["id"], field))
    output_ids = []
    for column in outputs:
        field = column.get("field") if isinstance(column, dict) else None
        if field not in OUTPUT_FIELDS:
            raise StrategyInvalid(_("output column %(field)r is not one of %(known)s")
                                  % {"field": field, "known": ", ".join(OUTPUT_FIELDS)})
        if not column.get("id"):
            raise StrategyInvalid(_("output column %(field)s has no id") % {"field": field})
        output_ids.append((column["id"], field))
    missing = [f for f in OUTPUT_FIELDS if f not in {f for _i, f in output_ids}]
    if missing:
        raise StrategyInvalid(_("the decision table has no output column %(fields)s")
                              % {"fields": ", ".join(missing)})
    if len(output_ids) != len(OUTPUT_FIELDS) or len({f for _i, f in input_ids}) != len(input_ids):
        raise StrategyInvalid(_("each input and output column may appear only once"))
    if not rules:
        raise StrategyInvalid(_("the decision table has no rules"))
    parsed, seen = [], set()
    for number, rule in enumerate(rules, start=1):
        parsed.append(_parse_rule(number, rule, input_ids, output_ids, seen))
    if not all(cell.matches_anything for cell in parsed[-1].cells):
        raise StrategyInvalid(
            _("the last rule (%(rule)s) must leave every input cell empty, so that every account "
              "gets a decision") % {"rule": parsed[-1].rule_id})
    return DecisionTable(columns=tuple(f for _i, f in input_ids), rules=tuple(parsed))


def _parse_rule(number: int, rule: object, input_ids, output_ids, seen: set) -> Rule:
    if not isinstance(rule, dict):
        raise StrategyInvalid(_("rule %(n)d is not an object") % {"n": number})
    rule_id_text = rule.get(dict(map(reversed, output_ids))["rule_id"], "")
    label = rule_id_text.strip().strip('"') if isinstance(rule_id_text, str) else ""
    label = label or _("number %(n)d") % {"n": number}
    outputs = {}
    for column_id, field in output_ids:
        text = rule.get(column_id, "")
        try:
            if not isinstance(text, str):
                raise _CellError(_("the cell must be text"))
            outputs[field] = _output_value(field, text)
        except _CellError as error:
            raise StrategyInvalid(_("rule %(rule)s, output %(field)s: %(reason)s")
                                  % {"rule": label, "field": field, "reason": error}) from None
    if outputs["rule_id"] in seen:
        raise StrategyInvalid(_("rule id %(rule)s is used twice") % {"rule": outputs["rule_id"]})
    seen.add(outputs["rule_id"])
    cells = []
    for column_id, field in input_ids:
        text = rule.get(column_id, "")
        try:
            if not isinstance(text, str):
                raise _CellError(_("the cell must be text"))
            tests = parse_unary(text)
            _check_types(tests, INPUT_COLUMNS[field])
        except _CellError as error:
            raise StrategyInvalid(_("rule %(rule)s, column %(field)s: %(text)r — %(reason)s")
                                  % {"rule": label, "field": field, "text": text,
                                     "reason": error}) from None
        cells.append(Cell(field, text.strip(), tests))
    return Rule(rule_id=outputs["rule_id"], cells=tuple(cells), outputs=outputs)


def canonical(jdm: dict) -> str:
    """The JSON text whose sha256 identifies a strategy's content."""
    return json.dumps(jdm, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
