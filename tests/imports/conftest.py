"""Helpers for import tests: real files written to ``tmp_path`` (CSV and Parquet)."""

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.utils import translation

from tests.factories import make_account, make_cardholder, make_product


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English whatever translations exist."""
    with translation.override("en"):
        yield


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, bom: bool = False,
              final_newline: bool = True) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    if not final_newline:
        text = path.read_bytes()
        path.write_bytes(text.rstrip(b"\n"))
    return path


def write_parquet(path: Path, header: list[str], rows: list[list], *, types=None) -> Path:
    """Columns are strings unless ``types`` gives an Arrow type for a column name."""
    types = types or {}
    columns = {
        name: pa.array([row[i] for row in rows], type=types.get(name, pa.string()))
        for i, name in enumerate(header)
    }
    pq.write_table(pa.table(columns), path)
    return path


@pytest.fixture
def cny(db):
    return make_product(code="STD", currency="CNY")


@pytest.fixture
def jpy(db):
    return make_product(code="YEN", currency="JPY")


@pytest.fixture
def a1(cny):
    return make_account(external_id="A1", product=cny, cardholder=make_cardholder(external_id="C1"))


@pytest.fixture
def a2(cny):
    return make_account(external_id="A2", product=cny, cardholder=make_cardholder(external_id="C2"))
