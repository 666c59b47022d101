"""Template helpers for the web pages: money formatting and the user's role names."""

from django import template
from django.utils.html import format_html

from arrears.audit.labels import action_label as _action_label
from arrears.audit.labels import export_kind_label as _export_kind_label
from arrears.audit.services import PURPOSE_LABELS
from arrears.compliance.gate import verdict_label as _verdict_label
from arrears.portfolio.labels import product_label
from arrears.rules.money import format_amount
from arrears.users.roles import ROLES

register = template.Library()

_ROLE_LABELS = {role.code: role.label for role in ROLES}


@register.simple_tag
def money(minor: int, currency: str) -> str:
    """``{% money row.balance_minor "TWD" %}`` → ``1,234.56``."""
    return format_amount(minor, currency)


@register.filter
def thousands(count: int) -> str:
    """``1234`` → ``1,234``, the same in every language the pages speak."""
    return f"{count:,}"


@register.simple_tag
def user_roles(user) -> str:
    """The names of the user's roles, comma-separated, in the active language."""
    labels = [
        str(_ROLE_LABELS[name])
        for name in user.groups.order_by("name").values_list("name", flat=True)
        if name in _ROLE_LABELS
    ]
    if not labels and user.is_superuser:
        labels = [str(_ROLE_LABELS["administrator"])]
    return ", ".join(labels)


@register.filter
def verdict_label(code: str) -> str:
    """The compliance gate's verdict (``allow``, ``delay``, ``block``) in the reader's
    language."""
    return _verdict_label(code)


@register.filter
def action_label(code: str) -> str:
    """An audit action code in words, in the reader's language."""
    return _action_label(code)


@register.filter
def export_kind_label(code: str) -> str:
    return _export_kind_label(code)


@register.filter
def purpose_label(code: str) -> str:
    """A purpose code of a data read (``COLLECTION`` …) in words; blank stays blank."""
    return str(PURPOSE_LABELS.get(code, code))


@register.simple_tag
def product_name(product) -> str:
    """The product's name: the catalogue's words for a product the software ships (the
    demo's), else the name the card system sent, marked as a name that is not translated."""
    label = product_label(product.code)
    if label is not None:
        return label
    return format_html('<span translate="no">{}</span>', product.name)
