"""The gate's vocabulary: decisions and their order, profiles, channels, purposes, parties,
outcomes, and the words people read for the codes."""

from django.utils.translation import gettext_lazy

ALLOW, WARN, REQUIRE_NOTE, REQUIRE_APPROVAL, BLOCK = (
    "ALLOW", "WARN", "REQUIRE_NOTE", "REQUIRE_APPROVAL", "BLOCK")
DECISIONS = (ALLOW, WARN, REQUIRE_NOTE, REQUIRE_APPROVAL, BLOCK)
SEVERITY = {decision: rank for rank, decision in enumerate(DECISIONS)}

PROFILES = ("CN-BANK", "CN-CONSERVATIVE", "US-FDCPA", "US-FIRST-PARTY")
CHANNELS = ("call", "sms", "email", "letter", "voicemail", "visit", "im")
PURPOSES = ("collection", "reminder", "contact_repair", "opt_out_confirmation",
            "cease_exception", "payment_handling", "plan_proposal")
COUNTERPARTIES = ("debtor", "guarantor", "debt_related_third_party", "emergency_contact",
                  "third_party", "attorney")
THIRD_PARTIES = ("debt_related_third_party", "emergency_contact", "third_party")
OUTCOMES = ("sent", "delivered", "failed", "no_answer", "not_connected", "busy", "voicemail",
            "right_party", "third_party", "wrong_number", "disconnected", "refused", "visited",
            "not_home", "")
# Words for the codes, for the reasons people read (the codes stay in the parameters).
LABELS = {
    "call": gettext_lazy("phone call"), "sms": gettext_lazy("SMS"),
    "email": gettext_lazy("e-mail"), "letter": gettext_lazy("letter"),
    "voicemail": gettext_lazy("voicemail"), "visit": gettext_lazy("field visit"),
    "im": gettext_lazy("instant message"),
    "collection": gettext_lazy("collection"), "reminder": gettext_lazy("reminder"),
    "contact_repair": gettext_lazy("contact repair"),
    "opt_out_confirmation": gettext_lazy("opt-out confirmation"),
    "cease_exception": gettext_lazy("a notice allowed after a cease request"),
    "payment_handling": gettext_lazy("payment handling"),
    "plan_proposal": gettext_lazy("plan proposal"),
    "debtor": gettext_lazy("The debtor"), "guarantor": gettext_lazy("The guarantor"),
    "debt_related_third_party": gettext_lazy("A debt-related third party"),
    "emergency_contact": gettext_lazy("An emergency contact"),
    "third_party": gettext_lazy("A third party"), "attorney": gettext_lazy("The attorney"),
    "mobile": gettext_lazy("the mobile phone"), "home_phone": gettext_lazy("the home phone"),
    "work_phone": gettext_lazy("the work phone"),
    "billing_address": gettext_lazy("the billing address"),
    "home_address": gettext_lazy("the home address"),
}


def label(code: str) -> str:
    return str(LABELS.get(code, code))


CONSENT_KINDS = ("contact_time", "callback")
CONVERSATION_OUTCOMES = frozenset({"right_party", "third_party"})
NOT_CONNECTED_OUTCOMES = frozenset({"not_connected", "busy"})
INVALID_NUMBER_OUTCOMES = frozenset({"wrong_number", "disconnected"})
FAILED_OUTCOMES = frozenset({"failed", "no_answer", "not_connected", "busy", "voicemail",
                             "wrong_number", "disconnected", "not_home"})
EXCLUDED_REASONS = ("", "consent_7d", "not_connected", "exempt_party")
MAX_STEPS = 24
