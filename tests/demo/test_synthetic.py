from datetime import date

import numpy as np
import pyarrow.parquet as pq
import pytest

from arrears.demo.synthetic import (
    fit,
    fit_load,
    synth_generate,
    synth_portfolio,
)
from arrears.rules.aging import BUCKET_CODES, Payment, StatementDue, delinquency
from arrears.rules.charges import minimum_payment
from arrears.scoring.taiwan import MONTHS, TW_TERMS, Timeline

ANCHOR = date(2026, 10, 1)
TIMELINE = Timeline(ANCHOR)


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    one = synth_generate(accounts=3000, out_dir=tmp_path / "a", seed=7, anchor=ANCHOR)
    two = synth_generate(accounts=3000, out_dir=tmp_path / "b", seed=7, anchor=ANCHOR)
    other = synth_generate(accounts=3000, out_dir=tmp_path / "c", seed=8, anchor=ANCHOR)
    for name in ("snapshot", "postings", "statements", "cardholders", "accounts"):
        assert pq.read_table(one.paths[name]).equals(pq.read_table(two.paths[name])), name
    assert not pq.read_table(one.paths["postings"]).equals(pq.read_table(other.paths["postings"]))


def test_bucket_mix_of_100k_accounts_follows_the_fit():
    params = fit_load()
    counts = np.zeros(len(BUCKET_CODES))
    for chunk in synth_portfolio(accounts=100_000, seed=3, timeline=TIMELINE, params=params):
        counts += np.bincount(chunk.bucket, minlength=len(BUCKET_CODES))
    share = counts / counts.sum()
    for code, got in zip(BUCKET_CODES, share, strict=True):
        expected = params["bucket_mix"][code]
        assert abs(got - expected) <= max(0.005, 0.15 * expected), (code, got, expected)
    assert share[0] < 0.97  # there are late accounts at all


def test_generated_accounts_age_as_the_rules_age_them():
    chunk = next(synth_portfolio(accounts=3000, seed=11, timeline=TIMELINE))
    for i in range(chunk.size):
        statements, payments = [], []
        for t in range(MONTHS):
            if chunk.paid[i, t]:
                payments.append(Payment(TIMELINE.payment_date(t), int(chunk.paid[i, t])))
            past_due = delinquency(statements, payments, TIMELINE.cycle_date(t)).past_due_amount
            expected_minimum = minimum_payment(principal=int(chunk.balance[i, t]), interest=0,
                                               fees=0, past_due=past_due, terms=TW_TERMS)
            assert chunk.minimum[i, t] == expected_minimum, (i, t)
            statements.append(StatementDue(TIMELINE.cycle_date(t), TIMELINE.due_date(t),
                                           expected_minimum))
        late = delinquency(statements, payments, TIMELINE.data_end,
                           tolerance=TW_TERMS.past_due_tolerance)
        assert (BUCKET_CODES[chunk.bucket[i]], int(chunk.days_past_due[i]),
                int(chunk.cycles_delinquent[i]), int(chunk.past_due[i])) == (
            late.bucket, late.days_past_due, late.cycles_delinquent, late.past_due_amount), i


def test_snapshot_columns(tmp_path):
    result = synth_generate(accounts=500, out_dir=tmp_path, seed=1, anchor=ANCHOR,
                            snapshot_only=True)
    table = pq.read_table(result.paths["snapshot"])
    assert table.num_rows == 500 and set(result.paths) == {"snapshot"}
    assert {"account_id", "credit_limit_minor", "balance_minor", "minimum_due_minor",
            "past_due_minor", "days_past_due", "bucket",
            "months_since_last_payment"} <= set(table.column_names)
    rows = table.to_pylist()
    assert all(r["past_due_minor"] <= max(r["minimum_due_minor"], r["past_due_minor"])
               for r in rows)
    assert all((r["bucket"] == "M0") == (r["days_past_due"] == 0) for r in rows)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_synthetic_files_import_and_age_like_the_snapshot(tmp_path, db, fmt):
    from arrears.demo.services import demo_product_ensure
    from arrears.imports.services import import_file
    from arrears.ledger.cycle import cycle_run
    from arrears.ledger.models import AccountPosition

    demo_product_ensure()
    result = synth_generate(accounts=150, out_dir=tmp_path, seed=5, anchor=ANCHOR, fmt=fmt,
                            contacts=True)
    for kind in ("cardholders", "contacts", "accounts", "statements", "postings"):
        report = import_file(kind=kind, path=result.paths[kind])
        assert report.committed, (kind, report.errors[:3])
    cycle_run(as_of=TIMELINE.data_end)
    snapshot = {r["account_id"]: r for r in pq.read_table(result.paths["snapshot"]).to_pylist()}
    positions = AccountPosition.objects.select_related("account")
    assert positions.count() == 150
    for position in positions:
        row = snapshot[position.account.external_id]
        assert (position.bucket, position.days_past_due) == (row["bucket"], row["days_past_due"])


def test_fit_reproduces_the_saved_parameters(taiwan_path):
    saved = fit_load()
    fresh = fit(source=taiwan_path)
    assert fresh["bucket_mix"] == saved["bucket_mix"]
    assert fresh["limit_ntd"] == saved["limit_ntd"]
    assert fresh["payments"] == saved["payments"]
    assert fresh["clients"] == 30_000
