"""Showing the stages of a long command — what runs now, and how long it took."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext as _

INDENT = "    "


def duration_text(seconds: float) -> str:
    """``42`` → "42 s", ``125`` → "2 min 5 s" (whole seconds, in the active language)."""
    whole = round(seconds)
    if whole < 60:
        return _("%(seconds)d s") % {"seconds": whole}
    return _("%(minutes)d min %(seconds)d s") % {"minutes": whole // 60, "seconds": whole % 60}


class StagePrinter:
    """``with stages(title):`` prints "==> title" and, when the block is over, "done in …"."""

    def __init__(self, stdout):
        self.stdout = stdout

    def say(self, text: str) -> None:
        """A line about the stage that runs now."""
        self.stdout.write(INDENT + text)
        self.stdout.flush()

    def begin(self, title: str) -> float:
        self.stdout.write(f"==> {title}")
        self.stdout.flush()
        return time.monotonic()

    def end(self, started: float) -> None:
        self.say(_("done in %(time)s") % {"time": duration_text(time.monotonic() - started)})

    @contextmanager
    def __call__(self, title: str) -> Iterator[None]:
        started = self.begin(title)
        yield
        self.end(started)
