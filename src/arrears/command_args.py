"""Parsing helpers shared by the ``arrears`` management commands."""

from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def parse_date(text: str, option: str | None = None) -> date:
    """A business date written YYYY-MM-DD, or a CommandError that says how to write it
    (naming the ``option`` it was given for, when there is one)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        if option:
            message = _("%(option)s: %(text)r is not a date; write it as YYYY-MM-DD.")
        else:
            message = _("%(text)r is not a date; write it as YYYY-MM-DD.")
        raise CommandError(message % {"option": option, "text": text}) from None
