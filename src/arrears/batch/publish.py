"""Publishing the night's decisions to the operational database in bulk.

One :class:`~arrears.batch.models.DecisionRun` per business date: publishing a date again
replaces that date's run and its rows, so a re-run never duplicates. Rows stream from the
pipeline's Parquet files in batches: ``COPY … FROM STDIN`` on PostgreSQL (CSV written by Arrow),
``executemany`` elsewhere. The run is marked finished last (:func:`decision_run_open`); until
then readers, which look at finished runs only, keep seeing the previous night. The apps
downstream (the workbench's queues, the channels' outbox) read the published run in their own
steps of the night (``arrears.night``) before it is opened; the batch never calls them.
"""

import io
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.db import connection, transaction
from django.utils import timezone

from arrears.batch.models import Decision, DecisionRun
from arrears.batch.pipeline import BatchRules, PipelineResult

PUBLISH_BATCH = 250_000
DECISION_FIELDS = ("score", "probability_pay", "score_band", "reason_1", "reason_2", "reason_3",
                   "segment", "treatment", "template", "priority", "rule_id", "arm",
                   "expected_recovery_minor")


def _batches(path: Path, columns: Sequence[str], run_id: int) -> Iterator[pa.Table]:
    """``run_id`` then ``columns`` of the file, a batch at a time."""
    for batch in pq.ParquetFile(path).iter_batches(batch_size=PUBLISH_BATCH,
                                                   columns=list(columns)):
        run = pa.array(np.full(batch.num_rows, run_id, dtype=np.int64))
        yield pa.Table.from_batches([batch]).add_column(0, "run_id", run)


def _copy(table_name: str, columns: Sequence[str], batches: Iterator[pa.Table]) -> int:
    rows = 0
    options = pacsv.WriteOptions(include_header=False)
    sql = f"COPY {table_name} ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for table in batches:
            buffer = io.BytesIO()
            pacsv.write_csv(table, buffer, write_options=options)
            copy.write(buffer.getbuffer())
            rows += table.num_rows
    return rows


def _executemany(table_name: str, columns: Sequence[str], batches: Iterator[pa.Table]) -> int:
    rows = 0
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table_name} ({', '.join(columns)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for table in batches:
            values = [table.column(i).to_pylist() for i in range(table.num_columns)]
            cursor.executemany(sql, list(zip(*values, strict=True)))
            rows += table.num_rows
    return rows


def rows_load(table_name: str, columns: Sequence[str], batches: Iterator[pa.Table]) -> int:
    """Append Arrow batches (columns in ``columns`` order) to a table, the fastest way the
    database offers."""
    if connection.vendor == "postgresql":
        return _copy(table_name, columns, batches)
    return _executemany(table_name, columns, batches)


def parquet_rows(path: Path) -> Iterator[dict]:
    """The rows of a Parquet file as mappings, a batch at a time."""
    for batch in pq.ParquetFile(path).iter_batches(batch_size=PUBLISH_BATCH):
        yield from batch.to_pylist()


def decisions_publish(*, as_of: date, result: PipelineResult, rules: BatchRules,
                      engine: str, started_at=None, open_now: bool = True) -> DecisionRun:
    """Replace ``as_of``'s run with the decisions in ``result``'s decisions file, in one
    transaction. With ``open_now`` the run is finished (shown to readers) at once; the night
    opens it only after its queues and outbox are written."""
    with transaction.atomic():
        DecisionRun.objects.filter(as_of=as_of).delete()
        run = DecisionRun.objects.create(
            as_of=as_of, started_at=started_at or timezone.now(), engine=engine,
            strategy_version=rules.strategy_version[:40], model_version=rules.model_version[:40],
            accounts=result.accounts, counts_by_treatment=result.counts_by_treatment,
            counts_by_segment=result.counts_by_segment,
        )
        columns = ("run_id", "account_id", *DECISION_FIELDS)
        rows_load(Decision._meta.db_table, columns,
                  _batches(result.decisions_path, columns[1:], run.pk))
        if open_now:
            decision_run_open(run)
    return run


def decision_run_open(run: DecisionRun) -> DecisionRun:
    """Mark ``run`` finished: from now on readers see it as the latest night."""
    run.finished_at = timezone.now()
    run.seconds = (run.finished_at - run.started_at).total_seconds()
    run.save(update_fields=["finished_at", "seconds"])
    return run
