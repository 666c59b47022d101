"""Display names of the codes the product stores (decision outputs, the demo's teams), in the
reader's language.

Rows store codes; words are rendered when a page is shown, so that a Chinese and an English
reader each see their own language. A code this catalogue does not know (a segment a strategy
manager added, a team a bank created) is shown as it is.
"""

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

# The segments of the shipped strategy (strategy/default_strategy.json).
SEGMENT_LABELS = {
    "hold-deceased": _("hold: deceased"),
    "hold-bankruptcy": _("hold: bankruptcy"),
    "hold-dispute": _("hold: dispute"),
    "hold-cease-contact": _("hold: cease-contact request"),
    "hold-complaint-current": _("hold: complaint, account current"),
    "hold-complaint": _("hold: complaint"),
    "hold-hardship": _("hold: hardship"),
    "promise-active": _("promise to pay active"),
    "promise-broken": _("promise to pay broken"),
    "M0-high-risk-reminder": _("M0 high risk: reminder"),
    "M0-current": _("M0 current"),
    "M1-low-risk": _("M1 low risk"),
    "M1-high-risk-large": _("M1 high risk, large balance"),
    "M1-high-risk": _("M1 high risk"),
    "M1-medium-risk-early": _("M1 medium risk, early days"),
    "M1-medium-risk-late": _("M1 medium risk, late days"),
    "M2-high-risk-block": _("M2 high risk: card block"),
    "M2-high-risk-large": _("M2 high risk, large balance"),
    "M2-high-risk": _("M2 high risk"),
    "M2-no-payment-notice": _("M2 no payment: notice"),
    "M2-low-risk": _("M2 low risk"),
    "M2-medium-risk": _("M2 medium risk"),
    "M3-large": _("M3 large balance"),
    "M3-no-payment-registered-letter": _("M3 no payment: registered letter"),
    "M3-high-risk": _("M3 high risk"),
    "M3": _("M3"),
    "M4-block": _("M4: card block"),
    "M4-6-large": _("M4–M6 large balance"),
    "M4-medium": _("M4 medium balance"),
    "M4-small": _("M4 small balance"),
    "M5-6-agency": _("M5–M6: agency"),
    "M7-legal": _("M7+: legal"),
    "M7-write-off": _("M7+: write-off review"),
    "unclassified": _("unclassified"),
}

# The demo's teams (``services.DEMO_TEAMS``), by their code.
TEAM_LABELS = {
    "demo-early-calls": _("Early-stage calls M1–M2"),
    "demo-call-centre": _("Call centre"),
    "demo-field-visits": _("Field visits"),
}


def treatment_label(code: str) -> str:
    """The treatment's name; a code this version does not know is shown as it is."""
    return str(TREATMENT_LABELS.get(code, code))


def arm_label(code: str) -> str:
    return str(ARM_LABELS.get(code, code))


def segment_label(code: str) -> str:
    return str(SEGMENT_LABELS.get(code, code))


def team_label(code: str, name: str) -> str:
    """A team's name: the catalogue's words for a team with a known code (the demo's), else the
    name as the bank entered it."""
    label = TEAM_LABELS.get(code) if code else None
    return str(label) if label is not None else name
