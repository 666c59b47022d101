"""Every user-facing string has a Simplified Chinese translation, and the compiled catalogue
shipped in the package is the one built from the translations."""

import gettext
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "arrears"
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def msgfmt_statistics(po: Path) -> str:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)],
        capture_output=True, text=True, check=True,
    )
    return result.stderr


@pytest.fixture(scope="module")
def catalogue_from_source(tmp_path_factory):
    """The translation catalogue as makemessages would write it from today's source."""
    copy = tmp_path_factory.mktemp("src") / "arrears"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    return copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_in_the_source_is_translated(catalogue_from_source):
    statistics = msgfmt_statistics(catalogue_from_source)
    assert "untranslated" not in statistics, statistics
    assert "fuzzy" not in statistics, statistics


def test_the_shipped_catalogue_is_the_compiled_translation(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(PO)], check=True)
    with compiled.open("rb") as fresh, MO.open("rb") as shipped:
        assert gettext.GNUTranslations(fresh)._catalog == gettext.GNUTranslations(shipped)._catalog


def test_chinese_is_served_for_a_known_string():
    with translation.override("zh-hans"):
        assert re.search(r"[\u4e00-\u9fff]", str(translation.gettext("Portfolio")))
