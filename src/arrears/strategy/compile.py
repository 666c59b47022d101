"""The strategy for the whole portfolio at once: a JDM decision table compiled into Ibis.

A first-hit decision table is a SQL ``CASE`` chain: the first rule whose every cell holds wins.
:func:`decision_columns` computes the index of that rule once per row and maps it to the rule's
outputs, so each condition is evaluated once. The compiled expression gives zen-engine's answer
for every row (``tests/strategy/test_compile.py`` checks thousands of rows and every boundary),
including for missing values: what zen-engine does with a missing input is asked of zen-engine
itself when a cell is compiled.

Champion/challenger arms come from :func:`arm_bucket`, a hash of the account id and the test
name built only from integer multiplication, addition and remainder below 2**63, so that
Python, DuckDB and Spark compute the same number exactly (Ibis compiles integer ``//`` through
floating point; nothing here divides).
"""

import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache

import ibis
import ibis.expr.types as ir
import zen
from django.utils.translation import gettext as _

from arrears.strategy.jdm import (
    OUTPUT_FIELDS,
    Cell,
    DecisionTable,
    StrategyInvalid,
    Test,
    parse,
)

CHAMPION = "champion"
OUTPUT_TYPES = {"rule_id": "string", "segment": "string", "treatment": "string",
                "template": "string", "priority": "int32"}


class StrategyCompileError(StrategyInvalid):
    """A decision table the batch compiler cannot translate (the message names rule and cell)."""


def table_of(strategy) -> DecisionTable:
    """A :class:`DecisionTable` from a StrategyVersion, a JDM dict or a parsed table."""
    if isinstance(strategy, DecisionTable):
        return strategy
    jdm = strategy if isinstance(strategy, dict) else strategy.jdm
    return parse(jdm)


@lru_cache(maxsize=4096)
def _zen_on_missing(text: str) -> bool:
    """What zen-engine answers for this cell when the input is missing (an error: no match)."""
    try:
        return bool(zen.evaluate_unary_expression(text, {"$": None}))
    except RuntimeError:
        return False


def _literal(value: object) -> ir.Value:
    if isinstance(value, Decimal):
        return ibis.literal(float(value), type="float64")
    if isinstance(value, bool):
        return ibis.literal(value, type="boolean")
    if isinstance(value, int):
        return ibis.literal(value, type="int64")
    return ibis.literal(value, type="string")


def _test(column: ir.Value, test: Test) -> ir.BooleanValue:
    if test.op == "not_in":
        return ~column.isin([_literal(v) for v in test.value])
    if test.op == "range":
        low, high = _literal(test.value), _literal(test.high)
        above = column >= low if test.low_closed else column > low
        below = column <= high if test.high_closed else column < high
        return above & below
    value = _literal(test.value)
    return {
        "==": lambda: column == value,
        "!=": lambda: column != value,
        "<": lambda: column < value,
        "<=": lambda: column <= value,
        ">": lambda: column > value,
        ">=": lambda: column >= value,
    }[test.op]()


def _cell(table: ir.Table, cell: Cell, rule_id: str) -> ir.BooleanValue | None:
    if cell.matches_anything:
        return None
    if cell.column not in table.columns:
        raise StrategyCompileError(
            _("rule %(rule)s reads column %(column)s, which the input table does not have")
            % {"rule": rule_id, "column": cell.column})
    column = table[cell.column]
    try:
        tests = [_test(column, t) for t in cell.tests]
    except (TypeError, ValueError, ibis.common.exceptions.IbisTypeError) as error:
        raise StrategyCompileError(
            _("rule %(rule)s, column %(column)s: cannot translate %(text)r (%(error)s)")
            % {"rule": rule_id, "column": cell.column, "text": cell.text, "error": error}
        ) from None
    condition = tests[0]
    for test in tests[1:]:
        condition = condition | test
    if _zen_on_missing(cell.text):
        return column.isnull() | condition.fill_null(False)
    return condition.fill_null(False)


def rule_conditions(table: ir.Table, decision_table: DecisionTable) -> list[ir.BooleanValue]:
    """One boolean expression per rule: all of its cells hold."""
    conditions = []
    for rule in decision_table.rules:
        parts = [c for c in (_cell(table, cell, rule.rule_id) for cell in rule.cells)
                 if c is not None]
        condition = parts[0] if parts else ibis.literal(True)
        for part in parts[1:]:
            condition = condition & part
        conditions.append(condition)
    return conditions


def _rule_index(table: ir.Table, decision_table: DecisionTable) -> ir.IntegerValue:
    conditions = rule_conditions(table, decision_table)
    branches = [(condition, index) for index, condition in enumerate(conditions)]
    # The last rule matches everything (jdm.parse checks it), so it is the ELSE.
    if len(branches) == 1:
        return ibis.literal(0, type="int32")
    return ibis.cases(*branches[:-1], else_=len(branches) - 1).cast("int32")


def _outputs(index: ir.IntegerValue, decision_table: DecisionTable) -> dict[str, ir.Value]:
    columns = {}
    for field in OUTPUT_FIELDS:
        values = [rule.outputs[field] for rule in decision_table.rules]
        branches = [(i, _literal(v)) for i, v in enumerate(values[:-1])]
        expr = index.cases(*branches, else_=_literal(values[-1])) if branches \
            else _literal(values[-1])
        columns[field] = expr.cast(OUTPUT_TYPES[field])
    return columns


def decision_columns(table: ir.Table, strategy) -> ir.Table:
    """``table`` with the strategy's outputs added: segment, treatment, template, priority,
    rule_id. ``strategy`` is a StrategyVersion, a JDM dict or a parsed DecisionTable."""
    decision_table = table_of(strategy)
    indexed = table.mutate(_strategy_rule=_rule_index(table, decision_table))
    return indexed.mutate(**_outputs(indexed._strategy_rule, decision_table)).drop(
        "_strategy_rule")


# -- champion/challenger -----------------------------------------------------------------------

PRIME = 2_147_483_647  # 2**31 - 1: every product of two residues stays below 2**62
MIX = (48_271, 69_621, 40_692)


@lru_cache(maxsize=1024)
def test_salts(test_name: str) -> tuple[int, int]:
    digest = hashlib.sha256(test_name.encode("utf-8")).digest()
    return (int.from_bytes(digest[:8], "big") % (PRIME - 1) + 1,
            int.from_bytes(digest[8:16], "big") % (PRIME - 1) + 1)


def arm_bucket(account_id: int, test_name: str) -> int:
    """A number 0–9999, uniform and stable for an account within a test."""
    first, second = test_salts(test_name)
    x = account_id % PRIME
    x = (x * MIX[0] + first) % PRIME
    x = (x * x + second) % PRIME
    x = (x * MIX[1] + first) % PRIME
    x = (x * x + second) % PRIME
    x = (x * MIX[2] + second) % PRIME
    return x % 10_000


def arm_bucket_column(account_id: ir.IntegerValue, test_name: str) -> ir.IntegerValue:
    """:func:`arm_bucket` as an Ibis expression (the same arithmetic on int64)."""
    first, second = (ibis.literal(s, type="int64") for s in test_salts(test_name))
    prime = ibis.literal(PRIME, type="int64")
    x = account_id.cast("int64") % prime
    x = (x * ibis.literal(MIX[0], type="int64") + first) % prime
    x = (x * x + second) % prime
    x = (x * ibis.literal(MIX[1], type="int64") + first) % prime
    x = (x * x + second) % prime
    x = (x * ibis.literal(MIX[2], type="int64") + second) % prime
    return x % ibis.literal(10_000, type="int64")


def share_threshold(share_percent) -> int:
    """Basis points: 12.5 % → 1250 buckets out of 10 000."""
    return int(Decimal(str(share_percent)) * 100)


def arm_for(account_id: int, tests: Sequence) -> str:
    """The arm of one account: the first test whose share takes it, else the champion."""
    for test in tests:
        if arm_bucket(account_id, test.name) < share_threshold(test.share_percent):
            return test.name
    return CHAMPION


def arm_column(table: ir.Table, tests: Iterable) -> ir.Table:
    """``table`` with an ``arm`` column: "champion" or the name of the challenger test."""
    tests = list(tests)
    if not tests:
        return table.mutate(arm=ibis.literal(CHAMPION, type="string"))
    branches = [
        (arm_bucket_column(table.account_id, t.name) < share_threshold(t.share_percent),
         ibis.literal(t.name, type="string"))
        for t in tests
    ]
    return table.mutate(arm=ibis.cases(*branches, else_=ibis.literal(CHAMPION)))


def decisions_by_arm(table: ir.Table, *, champion, tests: Iterable = ()) -> ir.Table:
    """Arm, then each row decided by its arm's strategy: the champion's, or the challenger's
    of the test that took it. ``tests`` are ChallengerTest rows (name, share_percent,
    challenger)."""
    tests = list(tests)
    with_arm = arm_column(table, tests)
    arms = [(CHAMPION, table_of(champion))] + [(t.name, table_of(t.challenger)) for t in tests]
    indexed = with_arm.mutate(**{f"_strategy_rule_{k}": _rule_index(with_arm, dt)
                                 for k, (_arm, dt) in enumerate(arms)})
    columns = {}
    for field in OUTPUT_FIELDS:
        per_arm = [(indexed.arm == name, _outputs(indexed[f"_strategy_rule_{k}"], dt)[field])
                   for k, (name, dt) in enumerate(arms)]
        columns[field] = ibis.cases(*per_arm[1:], else_=per_arm[0][1]) if len(per_arm) > 1 \
            else per_arm[0][1]
    return indexed.mutate(**columns).drop(*[f"_strategy_rule_{k}" for k in range(len(arms))])
