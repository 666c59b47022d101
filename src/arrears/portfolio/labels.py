"""Names of the master data the product itself ships (the demo's card product), in the
reader's language. A bank's own products are named as its card system sends them."""

from django.utils.translation import gettext_lazy as _

PRODUCT_LABELS = {
    "TW-STD": _("Taiwan standard card (demo)"),
}


def product_label(code: str) -> str | None:
    """The catalogue's name of the product ``code``, or None for a bank's own product."""
    label = PRODUCT_LABELS.get(code)
    return None if label is None else str(label)
