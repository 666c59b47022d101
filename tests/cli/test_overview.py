"""``arrears --help`` names every command, in the operator's language."""

import os
import re
import subprocess
import sys

import pytest

from arrears.cli import COMMANDS


def overview(language: str) -> str:
    env = {**os.environ, "ARREARS_LANGUAGE": language}
    result = subprocess.run(
        [sys.executable, "-m", "arrears.cli", "--help"],
        capture_output=True, text=True, env=env, check=True, timeout=60,
    )
    return result.stdout


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_overview_lists_every_command(language):
    text = overview(language)
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s", text, re.MULTILINE), name


def test_overview_speaks_the_chosen_language():
    assert "collections management" in overview("en")
    assert re.search(r"[\u4e00-\u9fff]{4}", overview("zh-hans"))
    assert not re.search(r"[\u4e00-\u9fff]", overview("en").replace("催收", ""))
