import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from arrears.letters.models import Letter, PrintBatch
from arrears.letters.services import letter_create
from tests.letters.conftest import CHINESE_BODY


@pytest.fixture
def letter(debtor_account):
    return letter_create(debtor_account, outbox_key="k1", language="zh-hans", subject="催收函",
                         body=CHINESE_BODY)


def test_batch_tracking_and_show(letter, tmp_path, capsys):
    call_command("letters", "batch", "--out", str(tmp_path), "--no-progress")
    assert "1 letters" in capsys.readouterr().out
    assert PrintBatch.objects.count() == 1

    csv_path = tmp_path / "t.csv"
    csv_path.write_text(f"letter_id,tracking_number\n{letter.pk},XA42\n")
    call_command("letters", "tracking", str(csv_path))
    assert "Recorded 1" in capsys.readouterr().out

    out_pdf = tmp_path / "one.pdf"
    call_command("letters", "show", str(letter.pk), "--pdf", str(out_pdf))
    shown = capsys.readouterr().out
    assert "XA42" in shown and "posted" in shown
    assert "王小明" in PdfReader(out_pdf).pages[0].extract_text()


def test_nothing_to_batch_is_said_plainly(db, tmp_path, capsys):
    call_command("letters", "batch", "--out", str(tmp_path), "--no-progress")
    assert "No letters are waiting" in capsys.readouterr().out


def test_bad_tracking_file_is_a_clear_error(letter, tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(CommandError, match="cannot read"):
        call_command("letters", "tracking", str(missing))
    with pytest.raises(CommandError, match="no letter with id 99"):
        call_command("letters", "show", "99")
    assert Letter.objects.get().status == "rendered"
