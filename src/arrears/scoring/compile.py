"""The scorecard compiled into Ibis expressions: one ``CASE`` per feature, no UDFs.

:func:`score_columns` adds ``score``, ``probability_pay``, ``score_band`` and
``reason_1..reason_3`` to a table of snapshot rows. The expressions use only comparisons,
``CASE``, integer sums and ``exp``, so they run unchanged on DuckDB, PySpark or PostgreSQL,
and give exactly what :func:`arrears.scoring.scorecard.score_one` gives for every row.
"""

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir
from django.utils.translation import gettext as _

from arrears.scoring.scorecard import (
    REASON_COUNT,
    WORST_BAND,
    Feature,
    Scorecard,
    ScorecardError,
    as_scorecard,
)

OUTPUT_COLUMNS = ("score", "probability_pay", "score_band",
                  *(f"reason_{i + 1}" for i in range(REASON_COUNT)))
_PREFIX = "_scorecard_"


def _is_missing(feature: Feature, column: ir.Column) -> ir.BooleanValue:
    missing = column.isnull()
    if column.type().is_floating():
        missing = missing | column.isnan()
    return missing


def _bin_cases(feature: Feature, column: ir.Column) -> list[tuple[ir.BooleanValue, int, str]]:
    """(condition, points, reason) per bin, in the order the conditions must be tested."""
    if feature.kind == "numeric":
        if not (column.type().is_numeric() or column.type().is_boolean()):
            raise ScorecardError(_("column %(name)s must be numeric for the scorecard, not "
                                   "%(type)s") % {"name": feature.name, "type": column.type()})
        value = column.cast("float64")
        cases = [(value < split, feature.points[i], feature.reasons[i])
                 for i, split in enumerate(feature.splits)]
        return [*cases, (ibis.literal(True), feature.points[-1], feature.reasons[-1])]
    text = column if column.type().is_string() else column.cast("string")
    cases = [(text.isin(list(values)), feature.points[i], feature.reasons[i])
             for i, values in enumerate(feature.categories)]
    return [*cases, (ibis.literal(True), feature.other_points, feature.other_reason)]


def _case_chain(missing: ir.BooleanValue, missing_value, branches: list) -> ir.Value:
    """``CASE`` over ordered (condition, value) branches, the last one the ``ELSE``.

    A numeric bin's branch is skipped when the next bin gives the same value: the next bin's
    condition (a larger upper bound) then catches it, so the result is unchanged.
    """
    kept = [(cond, value) for i, (cond, value) in enumerate(branches[:-1])
            if value != branches[i + 1][1]]
    return ibis.cases((missing, missing_value), *kept, else_=branches[-1][1])


def _points_and_reason(feature: Feature, column: ir.Column) -> tuple[ir.IntegerValue,
                                                                      ir.StringValue]:
    missing = _is_missing(feature, column)
    cases = _bin_cases(feature, column)
    if feature.kind == "numeric":
        points = _case_chain(missing, feature.missing_points, [(c, p) for c, p, _r in cases])
        reason = _case_chain(missing, feature.missing_reason, [(c, r) for c, _p, r in cases])
    else:
        points = ibis.cases((missing, feature.missing_points),
                            *((cond, points) for cond, points, _r in cases[:-1]),
                            else_=cases[-1][1])
        reason = ibis.cases((missing, feature.missing_reason),
                            *((cond, reason) for cond, _p, reason in cases[:-1]),
                            else_=cases[-1][2])
    return points.cast("int32"), reason.cast("string")


def score_columns(table: ir.Table, scorecard: "Scorecard | Mapping") -> ir.Table:
    """``table`` with the score outputs added (existing columns of those names are replaced)."""
    card = as_scorecard(scorecard)
    absent = [f.name for f in card.features if f.name not in table.columns]
    if absent:
        raise ScorecardError(_("the table lacks the scorecard's features: %(names)s")
                             % {"names": ", ".join(absent)})
    n = len(card.features)
    points_of = [f"{_PREFIX}points_{i}" for i in range(n)]
    reason_of = [f"{_PREFIX}reason_{i}" for i in range(n)]
    key_of = [f"{_PREFIX}key_{i}" for i in range(n)]
    top_of = [f"{_PREFIX}top_{k}" for k in range(REASON_COUNT)]

    step = {}
    for i, feature in enumerate(card.features):
        step[points_of[i]], step[reason_of[i]] = _points_and_reason(feature, table[feature.name])
    scored = table.mutate(**step)

    total = scored[points_of[0]].cast("int32")
    for name in points_of[1:]:
        total = total + scored[name]
    # A feature's ranking key: points lost × n + a tie-breaker that favours earlier features,
    # so the k-th largest key names the k-th reason (a key below n loses nothing).
    keys = {key_of[i]: ibis.greatest(ibis.literal(f.best_points, "int64")
                                     - scored[points_of[i]].cast("int64"), 0) * n + (n - 1 - i)
            for i, f in enumerate(card.features)}
    scored = scored.mutate(score=total.cast("int32"), **keys)
    for k in range(REASON_COUNT):
        candidates = [scored[key] if k == 0 else
                      ibis.cases((scored[key] < scored[top_of[k - 1]], scored[key]), else_=-1)
                      for key in key_of]
        top = ibis.greatest(*candidates) if n > 1 else candidates[0]
        scored = scored.mutate(**{top_of[k]: top.cast("int64")})

    outputs = {}
    for k in range(REASON_COUNT):
        top = scored[top_of[k]]
        outputs[f"reason_{k + 1}"] = ibis.cases(
            (top < n, ibis.literal("")),
            *((scored[key_of[i]] == top, scored[reason_of[i]]) for i in range(n)),
            else_=ibis.literal(""),
        ).cast("string")
    score = scored.score
    outputs["probability_pay"] = (
        1.0 / (1.0 + ((card.offset - score.cast("float64")) / card.factor).exp())
    ).cast("float64")
    if card.bands:
        outputs["score_band"] = ibis.cases(
            *((score >= lowest, band) for band, lowest in card.bands),
            else_=WORST_BAND,
        ).cast("string")
    else:
        outputs["score_band"] = ibis.literal(WORST_BAND, "string")
    scored = scored.mutate(**outputs)
    kept = [c for c in table.columns if c not in OUTPUT_COLUMNS]
    return scored.select(*kept, *OUTPUT_COLUMNS)
