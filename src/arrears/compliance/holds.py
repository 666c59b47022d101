"""Kinds of compliance hold on an account: states that stop or limit contact while they last."""

from django.utils.translation import gettext_lazy as _

CEASE_CONTACT = "cease_contact"
DISPUTE = "dispute"
COMPLAINT = "complaint"
BANKRUPTCY = "bankruptcy"
DECEASED = "deceased"
HARDSHIP = "hardship"
LEGAL_REPRESENTATION = "legal_representation"
PROMISE = "promise"
PLAN = "plan"
CAPACITY = "capacity"

HOLD_KINDS: dict[str, str] = {
    CEASE_CONTACT: _("cease-contact request"),
    DISPUTE: _("dispute under review"),
    COMPLAINT: _("complaint"),
    BANKRUPTCY: _("bankruptcy"),
    DECEASED: _("deceased"),
    HARDSHIP: _("hardship"),
    LEGAL_REPRESENTATION: _("legal representation"),
    PROMISE: _("promise to pay not yet due"),
    PLAN: _("personalised instalment plan current"),
    CAPACITY: _("mental capacity concern"),
}
HOLD_CHOICES = list(HOLD_KINDS.items())
