"""Small answer files (print house, dialer) read with the line numbers a user sees."""

import pytest

from arrears.imports.readers import FileRejected, csv_records


def test_lines_are_the_files_own_lines_and_short_rows_are_padded(tmp_path):
    path = tmp_path / "answer.csv"
    path.write_text('Letter_ID,tracking_number,note\n1,XA1\n\n2,XA2,"two\nlines"\n3,XA3,x\n',
                    encoding="utf-8")
    records = csv_records(path, ("letter_id", "tracking_number"))
    assert [line for line, _row in records] == [2, 4, 6]
    assert records[0][1] == {"letter_id": "1", "tracking_number": "XA1", "note": ""}
    assert records[1][1]["note"] == "two\nlines"


def test_a_header_without_the_required_columns_is_line_1(tmp_path):
    path = tmp_path / "answer.csv"
    path.write_text("letter,number\n1,XA1\n", encoding="utf-8")
    with pytest.raises(FileRejected) as rejected:
        csv_records(path, ("letter_id", "tracking_number"))
    assert rejected.value.line == 1 and "letter_id, tracking_number" in rejected.value.reason
