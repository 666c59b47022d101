"""Display names of the decision outputs' codes, in the user's language."""

from django.utils.translation import gettext_lazy as _

TREATMENT_LABELS = {
    "none": _("no action"),
    "pre_due_reminder": _("pre-due reminder"),
    "sms": _("SMS"),
    "email": _("e-mail"),
    "letter": _("letter"),
    "call": _("phone call"),
    "field_visit": _("field visit"),
    "card_block": _("card block"),
    "agency_placement": _("agency placement"),
    "legal_review": _("legal review"),
    "write_off_review": _("write-off review"),
}

ARM_LABELS = {"champion": _("champion")}


def treatment_label(code: str) -> str:
    """The treatment's name; a code this version does not know is shown as it is."""
    return str(TREATMENT_LABELS.get(code, code))


def arm_label(code: str) -> str:
    return str(ARM_LABELS.get(code, code))
