"""The batch snapshot (a few SQL queries per chunk) and the one-account snapshot agree."""

from datetime import date

import pyarrow.parquet as pq
from django.utils import timezone

from arrears.batch.models import Decision, DecisionRun
from arrears.batch.snapshot import SNAPSHOT_SCHEMA, snapshot_row, snapshot_write
from tests.batch.conftest import AS_OF


def _previous_run(accounts, as_of, treatment):
    run = DecisionRun.objects.create(as_of=as_of, started_at=timezone.now(),
                                     finished_at=timezone.now())
    Decision.objects.bulk_create(
        Decision(run=run, account=a, segment="s", treatment=treatment, rule_id="r")
        for a in accounts)
    return run


def test_batch_snapshot_equals_single_account_snapshot(small_portfolio, tmp_path):
    _previous_run(small_portfolio[::2], date(2026, 10, 8), "letter")
    _previous_run(small_portfolio[::3], date(2026, 10, 9), "sms")
    _previous_run(small_portfolio, AS_OF, "call")  # today's own run is not "previous"
    path = tmp_path / "snapshot.parquet"

    rows = snapshot_write(as_of=AS_OF, path=path, chunk=7)

    table = pq.read_table(path)
    assert table.schema == SNAPSHOT_SCHEMA
    assert rows == table.num_rows == len(small_portfolio)
    batch = {row["account_id"]: row for row in table.to_pylist()}
    for account in small_portfolio:
        assert batch[account.pk] == snapshot_row(account, AS_OF), account.external_id


def test_snapshot_covers_every_case(small_portfolio, tmp_path):
    """The test portfolio exercises what the definitions distinguish (else the test above
    would prove little)."""
    path = tmp_path / "snapshot.parquet"
    snapshot_write(as_of=AS_OF, path=path)
    rows = pq.read_table(path).to_pylist()

    assert {r["hold"] for r in rows} >= {"none", "deceased", "bankruptcy", "dispute",
                                          "cease_contact", "complaint"}
    assert {r["vip"] for r in rows} == {True, False}
    assert {r["language"] for r in rows} == {"zh-hans", "en"}
    assert any(r["days_since_last_payment"] == 9999 for r in rows)
    assert any(0 < r["payment_ratio_3m"] < 1 for r in rows)
    assert any(r["payment_ratio_3m"] >= 1 for r in rows)
    assert any(r["bucket"] != "M0" for r in rows) and any(r["bucket"] == "M0" for r in rows)
    assert {r["previous_treatment"] for r in rows} == {"none"}


def test_empty_portfolio_writes_an_empty_snapshot(db, tmp_path):
    path = tmp_path / "snapshot.parquet"
    assert snapshot_write(as_of=AS_OF, path=path) == 0
    assert pq.read_table(path).schema == SNAPSHOT_SCHEMA
