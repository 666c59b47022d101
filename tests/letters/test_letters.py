import csv
import io
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader

from arrears.letters.models import Letter
from arrears.letters.pdf import LetterContent, Letterhead, letter_pdf
from arrears.letters.services import (
    LetterError,
    TrackingImportError,
    letter_create,
    print_batch_create,
    tracking_numbers_import,
)
from tests.factories import make_account
from tests.letters.conftest import CHINESE_BODY, ENGLISH_BODY


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def make_letter(account, key="run:1:a:letter", language="zh-hans", body=CHINESE_BODY):
    return letter_create(account, outbox_key=key, language=language, subject="催收函",
                         body=body, template_code="dunning_letter", template_version=2)


def test_a_chinese_letter_names_the_debtor_the_amount_and_the_billing_address(debtor_account):
    letter = make_letter(debtor_account)

    text = pdf_text(bytes(letter.pdf))
    assert "王小明" in text
    assert "12,345.67" in text
    assert "北京市朝阳区建国路88号" in text
    assert "示例商业银行信用卡中心" in text  # letterhead, signature and seal
    assert "第 1 页 / 共 1 页" in text
    assert letter.address == "北京市朝阳区建国路88号 100022"
    assert letter.status == Letter.Status.RENDERED and letter.pages == 1


def test_an_english_letter_is_in_english_with_the_chinese_name_still_legible(debtor_account):
    letter = make_letter(debtor_account, language="en", body=ENGLISH_BODY)

    text = pdf_text(bytes(letter.pdf))
    assert "CNY 12,345.67" in text
    assert "Example Commercial Bank Card Centre" in text
    assert "王小明" in text
    assert "Page 1 of 1" in text


def test_a_long_letter_numbers_every_page():
    head = Letterhead("Bank", "Street 1", "Tel 1")
    body = "\n\n".join(["A long paragraph about the balance owed. " * 12] * 20)
    rendered = letter_pdf(LetterContent("en", head, date(2026, 1, 5), "Jo", "Road 2", "S", body))

    assert rendered.pages >= 2
    reader = PdfReader(io.BytesIO(rendered.data))
    assert len(reader.pages) == rendered.pages
    assert f"Page {rendered.pages} of {rendered.pages}" in reader.pages[-1].extract_text()


def test_the_same_outbox_key_never_makes_a_second_letter(debtor_account):
    first = make_letter(debtor_account)
    again = make_letter(debtor_account)

    assert first.pk == again.pk
    assert Letter.objects.count() == 1


def test_no_billing_address_no_letter(db, product):
    account = make_account(product=product)
    with pytest.raises(LetterError, match="no billing address"):
        make_letter(account)
    assert not Letter.objects.exists()


def test_a_print_batch_holds_every_waiting_letter_and_a_manifest(debtor_account, tmp_path):
    letters = [make_letter(debtor_account, key=f"k{i}") for i in range(3)]

    batch = print_batch_create(out_dir=tmp_path)

    assert batch.letter_count == 3
    with zipfile.ZipFile(batch.path) as archive:
        names = archive.namelist()
        manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
        first_pdf = archive.read(f"letter-{letters[0].pk:08d}.pdf")
    assert len([n for n in names if n.endswith(".pdf")]) == 3
    assert [int(row["letter_id"]) for row in manifest] == [letter.pk for letter in letters]
    assert {row["registered_mail"] for row in manifest} == {"yes"}
    assert manifest[0]["name"] == "王小明"
    assert manifest[0]["address"] == "北京市朝阳区建国路88号 100022"
    assert "王小明" in pdf_text(first_pdf)
    assert set(Letter.objects.values_list("status", flat=True)) == {"batched"}
    assert print_batch_create(out_dir=tmp_path) is None


def write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def batched(debtor_account, tmp_path):
    letters = [make_letter(debtor_account, key=f"k{i}") for i in range(2)]
    print_batch_create(out_dir=tmp_path)
    return letters


def test_tracking_numbers_mark_letters_posted(batched, tmp_path):
    a, b = batched
    path = write_csv(tmp_path / "t.csv", "letter_id,tracking_number,posted_on\n"
                     f"{a.pk},XA123456789CN,2026-11-24\n{b.pk},XA123456790CN,\n")

    assert tracking_numbers_import(path) == 2

    a.refresh_from_db()
    assert a.status == "posted" and a.tracking_number == "XA123456789CN"
    assert a.posted_at.date() == date(2026, 11, 24)


def test_tracking_import_reports_every_bad_line_and_changes_nothing(batched, tmp_path):
    a, b = batched
    path = write_csv(tmp_path / "t.csv", "letter_id,tracking_number,posted_on\n"
                     f"{a.pk},XA1,2026-11-24\n"
                     "999999,XA2,\n"
                     f"{b.pk},XA1,24/11/2026\n"
                     f"{b.pk},,\n")

    with pytest.raises(TrackingImportError) as caught:
        tracking_numbers_import(path)

    message = str(caught.value)
    assert "line 3: no letter with id '999999'" in message
    assert "line 4: tracking number XA1 also on line 2" in message
    assert "line 4: posted_on '24/11/2026' is not a date" in message
    assert "line 5: the tracking number is empty" in message
    assert "line 2" not in message.replace("on line 2", "")
    assert not Letter.objects.filter(status="posted").exists()


def test_tracking_import_refuses_a_number_another_letter_has(batched, tmp_path):
    a, b = batched
    tracking_numbers_import(write_csv(tmp_path / "1.csv", f"letter_id,tracking_number\n"
                                      f"{a.pk},XA1\n"))
    with pytest.raises(TrackingImportError, match="line 2: tracking number XA1 already belongs"):
        tracking_numbers_import(write_csv(tmp_path / "2.csv", f"letter_id,tracking_number\n"
                                          f"{b.pk},XA1\n"))


def test_tracking_import_needs_its_columns(batched, tmp_path):
    with pytest.raises(TrackingImportError, match="line 1: the header needs"):
        tracking_numbers_import(write_csv(tmp_path / "t.csv", "id,number\n1,X\n"))


def test_a_letter_not_yet_batched_gets_no_tracking_number(debtor_account, tmp_path):
    letter = make_letter(debtor_account)
    with pytest.raises(TrackingImportError, match="has not been batched"):
        tracking_numbers_import(write_csv(tmp_path / "t.csv", f"letter_id,tracking_number\n"
                                          f"{letter.pk},XA9\n"))
