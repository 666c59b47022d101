"""The Ibis-compiled scorecard gives exactly what the Python scorer gives, row by row."""

import math

import ibis
import pytest

from arrears.scoring.compile import OUTPUT_COLUMNS, score_columns
from arrears.scoring.scorecard import Scorecard, ScorecardError, score_one
from tests.scoring.conftest import snapshot_rows
from tests.scoring.test_scorecard import card_document


def _compare(table, card: Scorecard) -> int:
    con = ibis.duckdb.connect()
    batch = con.to_pyarrow(score_columns(ibis.memtable(table), card)).to_pylist()
    rows = table.to_pylist()
    assert len(batch) == len(rows)
    for row, scored in zip(rows, batch, strict=True):
        single = score_one(row, card)
        assert scored["account_id"] == row["account_id"]
        for column in OUTPUT_COLUMNS:
            if column == "probability_pay":
                assert math.isclose(scored[column], single[column], rel_tol=0, abs_tol=1e-9)
            else:
                assert scored[column] == single[column], (column, row)
    return len(rows)


def _splits(card: Scorecard) -> dict[str, list[float]]:
    return {f.name: list(f.splits) for f in card.features if f.kind == "numeric"}


def test_default_scorecard_agrees_on_every_row(default_document):
    card = Scorecard.from_json(default_document["scorecard"])
    assert _compare(snapshot_rows(4_000, seed=1, splits=_splits(card)), card) == 4_000


def test_trained_scorecard_with_a_category_agrees(trained):
    document = card_document()
    document["features"] += trained.scorecard["features"]
    document["features"] = [f for f in document["features"] if f["name"] != "product"]
    document["features"].append({
        "name": "bucket", "kind": "categorical", "categories": [["M0"], ["M1", "M2"]],
        "points": [60, 40], "reasons": ["BUCKET_VALUE"] * 2, "missing_points": 50,
        "missing_reason": "BUCKET_MISSING", "other_points": 45, "other_reason": "BUCKET_VALUE",
        "best_points": 60})
    seen = set()
    document["features"] = [f for f in document["features"]
                            if not (f["name"] in seen or seen.add(f["name"]))]
    card = Scorecard.from_json(document)
    table = snapshot_rows(2_000, seed=2, splits=_splits(card))
    assert _compare(table, card) == 2_000


def test_outputs_replace_columns_of_the_same_name(default_document):
    card = Scorecard.from_json(default_document["scorecard"])
    table = snapshot_rows(50, seed=3).append_column("score", [[-1] * 50])
    expr = score_columns(ibis.memtable(table), card)
    assert expr.columns.count("score") == 1
    assert list(expr.columns[-len(OUTPUT_COLUMNS):]) == list(OUTPUT_COLUMNS)
    assert ibis.duckdb.connect().to_pyarrow(expr)["score"].to_pylist()[0] != -1


def test_a_table_without_the_features_is_refused(default_document):
    card = Scorecard.from_json(default_document["scorecard"])
    table = ibis.memtable({"account_id": [1], "days_past_due": [3]})
    with pytest.raises(ScorecardError, match="utilisation"):
        score_columns(table, card)


def test_a_text_column_for_a_numeric_feature_is_refused():
    card = Scorecard.from_json(card_document())
    table = ibis.memtable({"days_past_due": ["3"], "utilisation": [0.1], "product": ["GOLD"]})
    with pytest.raises(ScorecardError, match="days_past_due"):
        score_columns(table, card)


def test_the_sql_has_no_udf(default_document):
    card = Scorecard.from_json(default_document["scorecard"])
    sql = ibis.to_sql(score_columns(ibis.memtable(snapshot_rows(5, seed=4)), card),
                      dialect="duckdb")
    assert "CASE" in sql and "udf" not in sql.lower()
