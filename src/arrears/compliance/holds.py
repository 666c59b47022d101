"""Kinds of compliance hold on an account: states that stop or limit contact while they last, and
states of the person the gate must know (a breathing space, vulnerability, an ombudsman
complaint) recorded the same way: from when, until when, by whom."""

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
BREATHING_SPACE = "breathing_space"
MENTAL_HEALTH_CRISIS = "mental_health_crisis"
VULNERABLE = "vulnerable"
OMBUDSMAN_COMPLAINT = "ombudsman_complaint"
FORBEARANCE_ASSESSMENT = "forbearance_assessment"

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
    BREATHING_SPACE: _("breathing space (standard moratorium)"),
    MENTAL_HEALTH_CRISIS: _("mental health crisis moratorium"),
    VULNERABLE: _("vulnerable customer"),
    OMBUDSMAN_COMPLAINT: _("complaint at the ombudsman"),
    FORBEARANCE_ASSESSMENT: _("forbearance being assessed"),
}
# Holds that record the person's legal state rather than stop contact by themselves: the gate
# reads them as these request facts (UK-12/13/15/16/17, UK-02).
MORATORIUM_HOLDS = {BREATHING_SPACE: "standard", MENTAL_HEALTH_CRISIS: "mental_health_crisis"}
FLAG_HOLDS = {VULNERABLE: "vulnerable", CAPACITY: "capacity_concern",
              OMBUDSMAN_COMPLAINT: "ombudsman_complaint_open",
              FORBEARANCE_ASSESSMENT: "forbearance_assessment_open"}
HOLD_CHOICES = list(HOLD_KINDS.items())
