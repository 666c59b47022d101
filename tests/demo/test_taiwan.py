import csv
import gzip
import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import arrears.scoring
from arrears.rules.charges import minimum_payment
from arrears.rules.ledger import Entry, fold
from arrears.rules.money import parse_amount
from arrears.scoring.taiwan import (
    TW_TERMS,
    TaiwanDataError,
    Timeline,
    account_history,
    clients_read,
    default_anchor,
    taiwan_csv_path,
    taiwan_export,
    taiwan_open,
)

TIMELINE = Timeline(date(2026, 10, 1))
HEADER = ('"ID","LIMIT_BAL","SEX","EDUCATION","MARRIAGE","AGE","PAY_0","PAY_2","PAY_3",'
          '"PAY_4","PAY_5","PAY_6","BILL_AMT1","BILL_AMT2","BILL_AMT3","BILL_AMT4","BILL_AMT5",'
          '"BILL_AMT6","PAY_AMT1","PAY_AMT2","PAY_AMT3","PAY_AMT4","PAY_AMT5","PAY_AMT6",'
          '"default.payment.next.month"')


def entries_of(history):
    return [Entry(n, p.kind, p.amount, p.posting_date, p.component)
            for n, p in enumerate(history.postings)]


def test_first_row_is_read_as_written(first_clients):
    client = first_clients[0]
    # ID 1: LIMIT_BAL 20000, AGE 24, PAY_0 2, BILL_AMT1 3913 (September), BILL_AMT6 0 (April).
    assert (client.id, client.limit_minor, client.age) == (1, 2_000_000, 24)
    assert client.last_pay_status == 2
    assert client.bills == (0, 0, 0, 68_900, 310_200, 391_300)
    assert client.paid == (0, 0, 0, 0, 68_900, 0)


def test_every_bill_is_the_folded_ledger_and_the_statement_balance(first_clients):
    for client in first_clients:
        history = account_history(client, TIMELINE)
        entries = entries_of(history)
        assert [s.balance for s in history.statements] == list(client.bills)
        for statement, bill in zip(history.statements, client.bills, strict=True):
            folded = fold(entries, through=statement.cycle_date).balances
            assert folded.total == bill, (client.id, statement.cycle_date)
            assert folded.interest == folded.fees == 0
        assert all(p.amount != 0 for p in history.postings)


def test_postings_between_statements_are_the_month_payment_and_net_spending(first_clients):
    client = first_clients[1]  # ID 2: bills Jul 2682, Aug 1725, Sep 2682; paid Aug 1000, Sep 0
    history = account_history(client, TIMELINE)
    august = {p.kind: p for p in history.postings if p.posting_date.month == 9}
    assert august["payment"].amount == 100_000
    assert august["payment"].posting_date == date(2026, 9, 10)
    assert august["purchase"].amount == 172_500 - 268_200 + 100_000 == 4_300
    september = {p.kind: p for p in history.postings if p.posting_date.month == 10}
    assert set(september) == {"purchase"}  # no payment in September: no zero posting
    assert september["purchase"].amount == 268_200 - 172_500
    assert september["purchase"].posting_date == date(2026, 10, 1)


def test_statement_dates_follow_the_product(first_clients):
    history = account_history(first_clients[0], TIMELINE)
    cycles = [s.cycle_date for s in history.statements]
    assert cycles[0] == date(2026, 5, 20) and cycles[-1] == date(2026, 10, 20)
    assert all(s.due_date == s.cycle_date + timedelta(days=25) for s in history.statements)
    assert TIMELINE.data_end == date(2026, 10, 30)
    assert TIMELINE.to_data_month(date(2026, 5, 1)) == date(2005, 4, 1)


def test_minimums_carry_what_is_past_due(first_clients):
    # ID 1 paid nothing on the September (data) statement: its minimum is carried over.
    history = account_history(first_clients[0], TIMELINE)
    june, july, august, september = (s for s in history.statements[2:])
    assert july.minimum_due == minimum_payment(principal=68_900, interest=0, fees=0,
                                               past_due=0, terms=TW_TERMS)
    # July's minimum (NT$ 100 floor... or 2 %) was paid in August (NT$ 689): nothing past due.
    assert august.minimum_due == minimum_payment(principal=310_200, interest=0, fees=0,
                                                 past_due=0, terms=TW_TERMS)
    # August's minimum was not paid in September: it is part of September's minimum.
    assert september.minimum_due == minimum_payment(
        principal=391_300, interest=0, fees=0, past_due=august.minimum_due, terms=TW_TERMS)
    assert september.minimum_due > minimum_payment(principal=391_300, interest=0, fees=0,
                                                   past_due=0, terms=TW_TERMS)
    assert june.minimum_due == 0


def test_negative_net_spending_becomes_a_credit_adjustment(first_clients):
    client = next(c for c in first_clients
                  if any(c.bills[k] - c.bills[k - 1] + c.paid[k] < 0 for k in range(1, 6)))
    history = account_history(client, TIMELINE)
    credits = [p for p in history.postings if p.amount < 0]
    assert credits and all(p.kind == "adjustment" and p.component == "principal"
                           for p in credits)
    assert [s.balance for s in history.statements] == list(client.bills)


def write(tmp_path: Path, rows: list[str], newline_at_end: bool) -> Path:
    path = tmp_path / "taiwan.csv"
    path.write_text("\n".join([HEADER, *rows]) + ("\n" if newline_at_end else ""))
    return path


ROW = "{id},5e+05,2,1,1,30,0,0,0,0,0,0,1.2e+04,1000,0,0,0,-200,1000,0,0,0,0,0,0"


@pytest.mark.parametrize("newline_at_end", [True, False])
def test_scientific_notation_and_missing_final_newline(tmp_path, newline_at_end):
    path = write(tmp_path, [ROW.format(id=1), ROW.format(id=2)], newline_at_end)
    clients = list(clients_read(path))
    assert [c.id for c in clients] == [1, 2]
    assert clients[1].limit_minor == 50_000_000
    assert clients[1].bills == (-20_000, 0, 0, 0, 100_000, 1_200_000)


def test_duplicate_rows_stay_separate_clients_and_a_repeated_id_is_refused(tmp_path):
    clients = list(clients_read(write(tmp_path, [ROW.format(id=1), ROW.format(id=2)], False)))
    assert clients[0].bills == clients[1].bills and clients[0].id != clients[1].id
    with pytest.raises(TaiwanDataError, match="line 3, column ID"):
        list(clients_read(write(tmp_path, [ROW.format(id=1), ROW.format(id=1)], False)))


def test_bad_number_names_line_and_column(tmp_path):
    bad = ROW.format(id=1).replace("1.2e+04", "12x")
    with pytest.raises(TaiwanDataError, match="line 2, column BILL_AMT1"):
        list(clients_read(write(tmp_path, [bad], False)))


def test_the_real_file_keeps_its_duplicates_and_scientific_amounts(taiwan_path):
    with taiwan_open(taiwan_path) as handle:
        raw = list(csv.reader(handle))[1:]
    clients = list(clients_read(taiwan_path))
    assert len(clients) == len({c.id for c in clients}) == 30_000
    # 35 rows repeat another row but for ID in the source; without the three columns the
    # package leaves out, 155 do. They stay separate clients.
    assert len(raw) - len({tuple(r[1:]) for r in raw}) == 155
    scientific = [(r, c) for r, c in zip(raw, clients, strict=True) if "e+" in r[1]]
    assert len(scientific) == 4_150
    assert all(c.limit_minor == int(Decimal(r[1])) * 100 for r, c in scientific)
    mean = Decimal(sum(c.limit_minor for c in clients)) / 30_000 / 100
    assert mean.quantize(Decimal("0.01")) == Decimal("167484.32")  # PROVENANCE.md


def test_default_anchor_leaves_ten_days_after_the_last_statement():
    assert default_anchor(date(2026, 11, 23)) == date(2026, 10, 1)
    assert default_anchor(date(2026, 11, 29)) == date(2026, 10, 1)
    assert default_anchor(date(2026, 11, 30)) == date(2026, 11, 1)
    anchor = default_anchor(date(2027, 3, 1))
    assert Timeline(anchor).data_end <= date(2027, 3, 1)


def test_export_files_match_the_import_schemas(tmp_path, taiwan_path):
    export = taiwan_export(source=taiwan_path, out_dir=tmp_path, anchor=date(2026, 10, 1),
                           limit=50)
    assert export.accounts == 50
    read = {kind: list(csv.DictReader(path.open())) for kind, path in export.paths.items()}
    assert len(read["accounts"]) == len(read["cardholders"]) == 50
    assert len(read["statements"]) == 300
    assert {r["kind"] for r in read["postings"]} <= {"purchase", "payment", "adjustment"}
    holder = read["cardholders"][0]
    assert holder["external_id"] == "TW-C-1" and holder["name"]
    born = date.fromisoformat(holder["date_of_birth"])
    end = date(2026, 10, 30)
    assert end.year - born.year - ((end.month, end.day) < (born.month, born.day)) == 24
    relations = [r for r in read["contacts"] if r["relation"]]
    assert len(relations) == 50 and all(r["contact_name"] for r in relations)
    account = read["accounts"][0]
    assert parse_amount(account["credit_limit"], "TWD") == 2_000_000
    # The same client gets the same synthetic person whatever else is converted.
    again = taiwan_export(source=taiwan_path, out_dir=tmp_path / "again",
                          anchor=date(2026, 10, 1), limit=3)
    assert list(csv.DictReader(again.paths["cardholders"].open()))[0] == holder


def test_missing_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("ARREARS_TAIWAN_CSV", str(tmp_path / "nope.csv"))
    with pytest.raises(TaiwanDataError, match="ARREARS_TAIWAN_CSV"):
        taiwan_csv_path()


def test_the_demo_file_ships_inside_the_package_with_its_attribution(monkeypatch, tmp_path):
    monkeypatch.delenv("ARREARS_TAIWAN_CSV", raising=False)
    monkeypatch.chdir(tmp_path)  # nothing beside the checkout is looked at
    path = taiwan_csv_path()
    package = Path(arrears.scoring.__file__).parent
    assert path.parent == package / "data" and path.name.endswith(".csv.gz")
    assert path.stat().st_size < 1_000_000
    notice = (package / "data" / "NOTICE.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in notice and "10.24432/C55S3H" in notice
    with taiwan_open(path) as handle:
        header = next(csv.reader(handle))
    assert not {"SEX", "EDUCATION", "MARRIAGE"} & set(header)  # sensitive and unused
    assert len(list(clients_read(path))) == 30_000


def test_another_copy_is_read_plain_or_gzipped(monkeypatch, tmp_path):
    plain = write(tmp_path, [ROW.format(id=7)], False)
    packed = tmp_path / "copy.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    monkeypatch.setenv("ARREARS_TAIWAN_CSV", os.fspath(packed))
    assert taiwan_csv_path() == packed
    assert list(clients_read(packed)) == list(clients_read(plain))


def test_a_file_that_is_not_the_taiwan_csv_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(TaiwanDataError, match="cannot be read"):
        list(clients_read(broken))
