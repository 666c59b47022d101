"""Where the batch's Ibis expressions run: embedded DuckDB (default) or PySpark.

An engine connects, reads a Parquet file as a table and writes an expression's result to a
Parquet file. The expressions themselves (``arrears.batch.pipeline``) are the same for every
engine. DuckDB streams from file to file (``COPY … TO``) under a memory limit, so a portfolio
larger than memory never has to fit in it; Spark writes through Arrow batches.
"""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow.parquet as pq
from django.utils.translation import gettext as _

ENGINES = ("duckdb", "pyspark")
DUCKDB_MEMORY_LIMIT = os.environ.get("ARREARS_DUCKDB_MEMORY_LIMIT", "1GB")


class EngineError(Exception):
    """The engine asked for is unknown or not installed."""


@dataclass
class DuckDBEngine:
    """Embedded DuckDB: one in-process connection per run."""

    memory_limit: str = DUCKDB_MEMORY_LIMIT
    threads: int | None = None
    name: str = "duckdb"

    def connect(self):
        con = ibis.duckdb.connect()
        con.raw_sql(f"SET memory_limit = '{self.memory_limit}'")
        con.raw_sql(f"SET temp_directory = '{tempfile.gettempdir()}/arrears-duckdb'")
        con.raw_sql("SET preserve_insertion_order = false")
        if self.threads:
            con.raw_sql(f"SET threads = {int(self.threads)}")
        return con

    def read(self, con, path: Path) -> ir.Table:
        return con.read_parquet(str(path))

    def write(self, con, expr: ir.Table, path: Path) -> None:
        con.to_parquet(expr, str(path), compression="zstd")


@dataclass
class SparkEngine:
    """PySpark (extra ``spark``): ``session`` is a running SparkSession, local or a cluster."""

    session: object = None
    name: str = "pyspark"

    def connect(self):
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise EngineError(_("PySpark is not installed: install the 'spark' extra "
                                "(pip install 'arrears[spark]') and Java 17.")) from None
        session = self.session or SparkSession.builder.master("local[2]").getOrCreate()
        return ibis.pyspark.connect(session)

    def read(self, con, path: Path) -> ir.Table:
        # A temporary view: Spark's managed tables leave warehouse folders behind.
        return con.read_parquet(str(path))

    def write(self, con, expr: ir.Table, path: Path) -> None:
        reader = expr.to_pyarrow_batches()
        with pq.ParquetWriter(path, reader.schema, compression="zstd") as writer:
            for batch in reader:
                writer.write_batch(batch)


def engine_for(name: str, **options):
    if name == "duckdb":
        return DuckDBEngine(**options)
    if name in ("pyspark", "spark"):
        return SparkEngine(**options)
    raise EngineError(_("Unknown engine %(name)s; use one of: %(known)s.")
                      % {"name": name, "known": ", ".join(ENGINES)})
