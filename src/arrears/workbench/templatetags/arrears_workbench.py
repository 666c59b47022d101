"""Template helpers for the decisions pages."""

from django import template
from django.utils.html import format_html

from arrears.rules.money import format_amount
from arrears.workbench import labels

register = template.Library()


@register.filter
def treatment_label(code: str) -> str:
    return labels.treatment_label(code)


@register.filter
def arm_label(code: str) -> str:
    return labels.arm_label(code)


@register.filter
def segment_label(code: str) -> str:
    return labels.segment_label(code)


@register.simple_tag
def team_name(team) -> str:
    """The team's name: in the reader's language when the catalogue knows its code, else as
    the bank entered it, marked as a name that is not translated."""
    if team.code in labels.TEAM_LABELS:
        return team.label
    return format_html('<span translate="no">{}</span>', team.name)


@register.simple_tag
def person(user) -> str:
    """A user's full name or user name, marked as a name that is not translated."""
    if user is None:
        return "—"
    return format_html('<span translate="no">{}</span>',
                       user.get_full_name() or user.get_username())


@register.filter
def recovery(amounts: dict[str, int]) -> str:
    """``{"TWD": 123456}`` → ``"1,234.56 TWD"``; several currencies are listed, never added."""
    if not amounts:
        return "0"
    return "; ".join(
        f"{format_amount(minor, currency)} {currency}"
        for currency, minor in sorted(amounts.items())
    )


@register.filter
def money(minor: int | None, currency: str) -> str:
    """``123456|money:"CNY"`` → ``"1,234.56"``."""
    return "—" if minor is None else format_amount(minor, currency)


@register.filter
def percent(rate) -> str:
    """``Decimal("0.1782")`` → ``"17.82 %"``."""
    return "—" if rate is None else f"{rate * 100:.2f} %"
