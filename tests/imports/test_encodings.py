"""The files Chinese banks really send: GB18030/GBK, Big5, UTF-16 and UTF-8 with a mark; the
encoding is declared, never guessed; an undecodable byte is reported on its physical line; a
character no database can store is a row error, never a traceback."""

import csv
import io
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.imports.readers import CsvReader, FileRejected, csv_records
from arrears.imports.services import ImportFileError, import_file
from arrears.ledger.models import Posting
from arrears.portfolio.models import Cardholder

HEADER = ["external_id", "name", "employer"]
ROWS = [["C1", "张三", "中国工商银行股份有限公司"], ["C2", "李𠮷", "上海浦东发展银行"]]


def csv_text(header, rows, newline="\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def names() -> dict[str, tuple[str, str]]:
    return {c.external_id: (c.name, c.employer) for c in Cardholder.objects.all()}


def test_a_gb18030_file_declared_so_imports_every_character(db, tmp_path):
    path = tmp_path / "cardholders.csv"
    path.write_bytes(csv_text(HEADER, ROWS).encode("gb18030"))

    report = import_file(kind="cardholders", path=path, encoding="GB18030")

    assert (report.errors, report.created) == ([], 2)
    assert names() == {"C1": ("张三", "中国工商银行股份有限公司"),
                       "C2": ("李𠮷", "上海浦东发展银行")}


@pytest.mark.parametrize(("declared", "codec"), [
    ("gbk", "gbk"), ("cp936", "gbk"), ("big5", "big5"), ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8-sig"), (None, "utf-8-sig"), (None, "utf-16"),
    ("utf-16", "utf-16"),
])
def test_declared_and_marked_encodings(db, tmp_path, declared, codec):
    rows = [["C1", "張三" if codec == "big5" else "张三", "银行" if codec != "big5" else "銀行"]]
    path = tmp_path / "cardholders.csv"
    path.write_bytes(csv_text(HEADER, rows, newline="\r\n").encode(codec))

    report = import_file(kind="cardholders", path=path, encoding=declared)

    assert (report.errors, report.created) == ([], 1)
    assert names()["C1"] == tuple(rows[0][1:])


def test_an_undeclared_gb18030_file_is_refused_with_the_encoding_to_declare(db, tmp_path):
    path = tmp_path / "cardholders.csv"
    path.write_bytes(csv_text(HEADER, ROWS).encode("gb18030"))

    report = import_file(kind="cardholders", path=path, skip_bad_rows=True)

    assert not report.committed and not Cardholder.objects.exists()
    [error] = report.errors
    assert (error.line, error.column) == (2, "name")
    assert error.reason.startswith("0xD5 0xC5 0xC8 0xFD is not UTF-8 text")
    assert "--encoding gb18030" in error.reason and "never guessed" in error.reason


def test_a_big5_file_is_never_read_as_gb18030(db, tmp_path):
    """Big5 bytes are valid GB18030 (into the wrong characters): they must not be guessed."""
    text = csv_text(HEADER, [["C1", "王小明", "台灣銀行"]]).encode("big5")
    assert text.decode("gb18030")  # decodes without an error, into nonsense
    path = tmp_path / "cardholders.csv"
    path.write_bytes(text)

    report = import_file(kind="cardholders", path=path)

    assert (report.errors[0].line, report.errors[0].column) == (2, "name")
    assert "not UTF-8 text" in report.errors[0].reason
    assert not Cardholder.objects.exists()


def test_gbk_declared_for_a_gb18030_only_character_suggests_gb18030(db, tmp_path):
    path = tmp_path / "cardholders.csv"
    path.write_bytes(csv_text(HEADER, ROWS).encode("gb18030"))

    report = import_file(kind="cardholders", path=path, encoding="gbk")

    [error] = report.errors
    assert (error.line, error.column) == (3, "name")
    assert "is not GBK text" in error.reason and "try gb18030" in error.reason


@pytest.mark.parametrize(("start", "declared", "reason"), [
    (b"\xef\xbb\xbf", "gb18030",
     "starts with a UTF-8 byte-order mark, but its encoding was declared GB18030"),
    (b"\xff\xfe", "utf-8", "starts with a UTF-16 byte-order mark, but its encoding was declared"),
    (b"", "utf-16", "declared UTF-16 but does not start with a UTF-16 byte-order mark"),
])
def test_a_byte_order_mark_that_contradicts_the_declaration_is_refused(db, tmp_path, start,
                                                                       declared, reason):
    codec = "utf-16-le" if start == b"\xff\xfe" else "utf-8"
    path = tmp_path / "cardholders.csv"
    path.write_bytes(start + csv_text(HEADER, ROWS).encode(codec))

    report = import_file(kind="cardholders", path=path, encoding=declared)

    assert [(e.line, e.column) for e in report.errors] == [(1, "")]
    assert reason in report.errors[0].reason
    assert not Cardholder.objects.exists()


def test_an_unknown_encoding_name_is_a_usage_error(db, tmp_path):
    path = tmp_path / "cardholders.csv"
    path.write_text(csv_text(HEADER, ROWS), encoding="utf-8")
    with pytest.raises(ImportFileError, match="unknown encoding 'latin-9000': use one of utf-8"):
        import_file(kind="cardholders", path=path, encoding="latin-9000")
    with pytest.raises(ImportFileError, match="unknown encoding 'shift_jis'"):
        import_file(kind="cardholders", path=path, encoding="shift_jis")


def test_an_encoding_for_a_parquet_file_is_a_usage_error(db, tmp_path):
    path = tmp_path / "cardholders.parquet"
    pq.write_table(pa.table({"external_id": ["C1"], "name": ["张三"]}), path)
    with pytest.raises(ImportFileError, match="Parquet file is always UTF-8"):
        import_file(kind="cardholders", path=path, encoding="gb18030")


def _deep_file(encode, bad: bytes, *, newline: str, bad_row: int) -> tuple[bytes, int]:
    """A cardholder file whose row ``bad_row`` holds ``bad`` in its employer, after rows with
    quoted fields of two and three lines and blank lines; also the physical line of the bad
    byte, counted on the bytes themselves."""
    chunks = [encode(csv_text(HEADER, [], newline=newline))]
    for n in range(bad_row):
        employer = "某公司"
        if n % 97 == 0:
            employer = f"某公司{newline}北京分行"
        elif n % 89 == 0:
            employer = f"甲,乙{newline}丙{newline}丁"
        chunks.append(encode(csv_text([f"C{n}", f"名{n}", employer], [], newline=newline)))
        if n % 250 == 0:
            chunks.append(encode(newline))
    chunks.append(encode(f'C-bad,坏,"某公司{newline}第二行 ') + bad + encode(f'"{newline}'))
    chunks.append(encode(csv_text(["C-after", "后", "x"], [], newline=newline)))
    data = b"".join(chunks)
    offset = data.index(bad, len(data) - 200)
    before = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data, before.count(b"\n") + 1


@pytest.mark.parametrize(("declared", "codec", "bad", "newline"), [
    (None, "utf-8", "坏".encode("gb18030"), "\n"),
    (None, "utf-8", b"\xff", "\r\n"),
    ("gb18030", "gb18030", b"\xff", "\r\n"),
    ("big5", "big5", b"\x80", "\n"),
])
def test_an_undecodable_byte_deep_in_a_large_file_is_on_its_physical_line(db, tmp_path,
                                                                           declared, codec,
                                                                           bad, newline):
    data, line = _deep_file(lambda text: text.encode(codec), bad, newline=newline,
                            bad_row=11_900)
    assert line > 12_000
    path = tmp_path / "cardholders.csv"
    path.write_bytes(data)

    report = import_file(kind="cardholders", path=path, encoding=declared, dry_run=True)

    assert [(e.line, e.column) for e in report.errors] == [(line, "employer")]
    assert report.errors[0].reason.startswith(f"0x{bad[0]:02X}")


def test_the_reviewers_file_reports_line_12346(db, tmp_path):
    """The reviewer's case: a GBK byte on physical line 12,346 of a UTF-8 file."""
    lines, line = ["external_id,name,employer"], 1
    while line < 12_345:
        n = len(lines)
        if n % 60 == 0 and line < 12_343:
            lines.append(f'C{n},名{n},"多行\n地址"')
            line += 2
        else:
            lines.append(f"C{n},名{n},公司")
            line += 1
    assert line == 12_345
    data = ("\n".join(lines) + "\n").encode() + b"C-bad," + "坏".encode("gbk") + b",x\n"
    path = tmp_path / "cardholders.csv"
    path.write_bytes(data)

    report = import_file(kind="cardholders", path=path)

    assert [(e.line, e.column) for e in report.errors] == [(12_346, "name")]
    assert not Cardholder.objects.exists()


def test_a_bad_byte_in_the_header_is_on_line_1(db, tmp_path):
    path = tmp_path / "cardholders.csv"
    path.write_bytes(b"external_id,n\xe4me\nC1,x\n")

    report = import_file(kind="cardholders", path=path)

    assert [(e.line, e.column) for e in report.errors] == [(1, "")]
    assert report.errors[0].reason.startswith("0xE4 is not UTF-8 text")


# Characters a database cannot store.

POSTINGS = ["external_id", "account_id", "kind", "amount", "posting_date", "reason"]


def test_a_nul_character_is_a_row_error_with_its_column(db, tmp_path):
    path = tmp_path / "cardholders.csv"
    path.write_bytes(b"external_id,name,employer\nC1,ok,x\nC2,ab\x00c,x\nC3,ok,x\x00\n")

    report = import_file(kind="cardholders", path=path, skip_bad_rows=True)

    assert [(e.line, e.column) for e in report.errors] == [(3, "name"), (4, "employer")]
    assert "holds a NUL character (byte 0x00), which a database cannot store" in (
        report.errors[0].reason)
    assert report.committed and set(names()) == {"C1"}


def test_a_nul_in_a_posting_never_reaches_the_database(a1, tmp_path):
    path = tmp_path / "postings.csv"
    path.write_bytes(b"external_id,account_id,kind,amount,posting_date,reason\n"
                     b"P1,A1,purchase,10,2024-01-05,ok\n"
                     b"P2,A1,purchase,10,2024-01-05,re\x00fund\n")

    rejected = import_file(kind="postings", path=path)
    skipped = import_file(kind="postings", path=path, skip_bad_rows=True)

    assert [(e.line, e.column) for e in rejected.errors] == [(3, "reason")]
    assert not rejected.committed
    assert skipped.committed and skipped.rejected == 1
    assert list(Posting.objects.values_list("external_id", flat=True)) == ["P1"]


def test_parquet_text_a_database_cannot_store_is_a_row_error(db, tmp_path):
    """A NUL in a string column; bytes that are not UTF-8 in a binary column (kept as
    surrogates, which no database stores) are refused, never stored as ``b'...'``."""
    path = tmp_path / "cardholders.parquet"
    pq.write_table(pa.table({
        "external_id": ["C1", "C2", "C3"],
        "name": pa.array([b"ok", b"\xd5\xc5\xc8\xfd", "李四".encode()], type=pa.binary()),
        "employer": ["x", "y", "z\x00"],
    }), path)

    report = import_file(kind="cardholders", path=path, skip_bad_rows=True)

    assert [(e.line, e.column) for e in report.errors] == [(3, "name"), (4, "employer")]
    assert "bytes that are not UTF-8 text (0xD5 0xC5 0xC8 0xFD)" in report.errors[0].reason
    assert "NUL" in report.errors[1].reason
    assert names() == {"C1": ("ok", "x")}


def test_answer_files_refuse_a_nul_with_line_and_column(tmp_path):
    path = tmp_path / "answer.csv"
    path.write_bytes(b"letter_id,tracking_number\n1,XA1\n2,XA\x002\n")
    with pytest.raises(FileRejected) as rejected:
        csv_records(path, ("letter_id", "tracking_number"))
    assert rejected.value.line == 3
    assert rejected.value.reason.startswith("tracking_number: holds a NUL character")


def test_a_bad_byte_after_a_broken_field_is_reported_as_the_broken_csv(db, tmp_path):
    """The line holding the bad byte is also too long for the CSV parser: still no traceback."""
    path = tmp_path / "cardholders.csv"
    path.write_bytes(b"external_id,name\nC1," + b"x" * 200_000 + b"\xff\nC2,y\n")

    report = import_file(kind="cardholders", path=path)

    assert [e.line for e in report.errors] == [2]
    assert report.errors[0].reason.startswith("broken CSV: field larger than field limit")


def _physical_line(data: bytes, offset: int) -> int:
    """The line a text editor shows for byte ``offset``: line breaks before it, plus one."""
    return len(re.findall(rb"\r\n|\r|\n", data[:offset])) + 1


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.text(alphabet='ab ,"\n中', max_size=12), st.booleans()),
                     min_size=1, max_size=25),
       newline=st.sampled_from(["\n", "\r\n", "\r"]), data=st.data())
def test_every_row_and_every_bad_byte_is_on_its_physical_line(tmp_path_factory, rows, newline,
                                                               data):
    """Random files (quoted fields over several lines, blank lines, any line ending): the
    reader numbers each row by the line it starts on, and a bad byte by its own line."""
    chunks, starts = [f'"external_id","note"{newline}'.encode()], []
    for n, (text, blank_after) in enumerate(rows):
        starts.append(sum(map(len, chunks)))
        text = text.replace("\n", newline).replace('"', '""')
        chunks.append(f'"R{n}","{text}"{newline}'.encode())
        if blank_after:
            chunks.append(newline.encode())
    good = b"".join(chunks)
    path = tmp_path_factory.mktemp("lines") / "rows.csv"
    path.write_bytes(good)

    lines = [line for _header, chunk in CsvReader(path).chunks(7) for line, _cells in chunk]

    assert lines == [_physical_line(good, start) for start in starts]

    offset = data.draw(st.integers(min_value=0, max_value=len(good)))
    while good[offset:offset + 1] and 0x80 <= good[offset] < 0xC0:
        offset += 1  # not inside a UTF-8 character
    bad = good[:offset] + b"\xff" + good[offset:]
    path.write_bytes(bad)
    with pytest.raises(FileRejected) as rejected:
        for _chunk in CsvReader(path).chunks(7):
            pass
    assert rejected.value.line == _physical_line(bad, offset)


def test_blank_lines_before_the_header_count(db, tmp_path):
    path = tmp_path / "cardholders.csv"
    path.write_text("\n\r\nexternal_id,name,colour\nC1,x,red\n", encoding="utf-8")
    report = import_file(kind="cardholders", path=path)
    assert [(e.line, e.column) for e in report.errors] == [(3, "colour")]

    path.write_text("\n\nexternal_id,name,date_of_birth\nC1,x,1990-02-30\n", encoding="utf-8")
    report = import_file(kind="cardholders", path=path)
    assert [(e.line, e.column) for e in report.errors] == [(4, "date_of_birth")]
