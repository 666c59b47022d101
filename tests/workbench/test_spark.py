"""The queue step is the same expression on PySpark: same queues as plain Python (and DuckDB)."""

import ibis
import pyarrow as pa

from arrears.workbench.compile import collectors_table, queue_assign_reference, queue_columns
from tests.workbench.conftest import scenario


def test_pyspark_gives_the_python_assignment(spark_session):
    decisions, collectors = scenario(11, 300)
    con = ibis.pyspark.connect(spark_session)
    expr = queue_columns(
        ibis.memtable(pa.Table.from_pylist(decisions)), collectors_table(collectors)
    )
    got = {row["account_id"]: row for row in con.to_pyarrow(expr).to_pylist()}
    expected = {row["account_id"]: row for row in queue_assign_reference(decisions, collectors)}
    assert got == expected
    assert any(row["collector_id"] for row in expected.values())
