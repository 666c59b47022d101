"""Parsing helpers shared by the ``arrears`` management commands."""

from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def parse_date(text: str) -> date:
    """A business date written YYYY-MM-DD, or a CommandError that says how to write it."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("%(text)r is not a date; write it as YYYY-MM-DD.") % {"text": text}
        ) from None
