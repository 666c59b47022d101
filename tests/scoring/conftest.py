"""Scoring fixtures: a slice of the Taiwan data in snapshot features, trained once per session."""

import json

import numpy as np
import pyarrow as pa
import pytest
from django.utils import translation

from arrears.scoring.features import TAIWAN_TARGET, taiwan_training_frame
from arrears.scoring.services import DEFAULT_SCORECARD_PATH
from arrears.scoring.training import scorecard_train

TAIWAN_SLICE = 3_000


@pytest.fixture(scope="session")
def taiwan_frame():
    return taiwan_training_frame(limit=TAIWAN_SLICE)


@pytest.fixture(scope="session")
def taiwan_file(taiwan_frame, tmp_path_factory):
    path = tmp_path_factory.mktemp("scoring") / "taiwan_slice.parquet"
    taiwan_frame.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="session")
def trained(taiwan_file):
    # Session-scoped, so outside the per-test English override: the stored texts must be English.
    with translation.override("en"):
        return scorecard_train(path=taiwan_file, target=TAIWAN_TARGET, name="slice-v1")


@pytest.fixture(scope="session")
def default_document():
    return json.loads(DEFAULT_SCORECARD_PATH.read_text())


def snapshot_rows(n: int, *, seed: int, splits: dict[str, list[float]] | None = None) -> pa.Table:
    """Snapshot-shaped rows with every awkward value: zeros, negatives, never paid, exact split
    points of a scorecard (``splits``), nulls and NaN."""
    rng = np.random.default_rng(seed)
    late = rng.random(n) < 0.3
    dpd = np.where(late, rng.integers(1, 400, n), 0).astype(np.int32)
    limit = rng.choice([0, 1_000_000, 5_000_000, 20_000_000, 100_000_000], n)
    ratio = rng.random(n) * 10
    balance = (rng.normal(0.5, 0.5, n) * np.maximum(limit, 1_000_000)).astype(np.int64)
    columns = {
        "account_id": np.arange(1, n + 1, dtype=np.int64),
        "bucket": np.where(late, rng.choice(["M1", "M2", "M3", "M7+"], n), "M0"),
        "days_past_due": dpd,
        "cycles_delinquent": np.where(late, rng.integers(1, 8, n), 0).astype(np.int32),
        "balance_minor": balance,
        "past_due_minor": np.where(late, rng.integers(0, 2_000_000, n), 0).astype(np.int64),
        "credit_limit_minor": limit.astype(np.int64),
        "utilisation": np.where(limit > 0, balance / np.maximum(limit, 1), 0.0),
        "days_since_last_payment": np.where(rng.random(n) < 0.1, 9999,
                                            rng.integers(0, 200, n)).astype(np.int32),
        "payment_ratio_3m": np.where(rng.random(n) < 0.5, np.round(ratio, 1), ratio),
    }
    for name, values in (splits or {}).items():
        if values:
            pick = rng.random(n) < 0.15
            exact = np.asarray(values)[rng.integers(0, len(values), n)]
            columns[name] = np.where(pick, exact, columns[name]).astype(columns[name].dtype)
    table = pa.table(columns)
    nulls = rng.random(n) < 0.03
    nans = rng.random(n) < 0.03
    utilisation = np.where(nans, np.nan, columns["utilisation"])
    table = table.set_column(table.schema.get_field_index("utilisation"), "utilisation",
                             pa.array(utilisation, mask=nulls))
    dpd_nulls = rng.random(n) < 0.02
    return table.set_column(table.schema.get_field_index("days_past_due"), "days_past_due",
                            pa.array(dpd, type=pa.int32(), mask=dpd_nulls))
