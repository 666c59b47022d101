"""The gate's vocabulary: decisions and their order, profiles, channels, purposes, parties,
outcomes, and the words people read for the codes."""

from django.utils.translation import gettext_lazy

ALLOW, WARN, REQUIRE_NOTE, REQUIRE_APPROVAL, BLOCK = (
    "ALLOW", "WARN", "REQUIRE_NOTE", "REQUIRE_APPROVAL", "BLOCK")
DECISIONS = (ALLOW, WARN, REQUIRE_NOTE, REQUIRE_APPROVAL, BLOCK)
SEVERITY = {decision: rank for rank, decision in enumerate(DECISIONS)}

PROFILES = ("CN-BANK", "CN-CONSERVATIVE", "US-FDCPA", "US-FIRST-PARTY", "UK-FCA")
# Contacts: the action types that reach a person (COMPLIANCE.md section 0.2).
CHANNELS = ("call", "sms", "email", "letter", "voicemail", "visit", "im")
# The other actions the gate decides: placing with an agency, furnishing a credit bureau,
# referring to litigation, posting a fee or interest, selling the debt.
AGENCY_ASSIGN, CRA_FURNISH, LEGAL_REFERRAL = "agency_assign", "cra_furnish", "legal_referral"
FEE_POST, INTEREST_POST, DEBT_SALE = "fee_post", "interest_post", "debt_sale"
ACCOUNT_ACTIONS = (AGENCY_ASSIGN, CRA_FURNISH, LEGAL_REFERRAL, FEE_POST, INTEREST_POST,
                   DEBT_SALE)
ACTION_TYPES = (*CHANNELS, *ACCOUNT_ACTIONS)
POSTINGS = (FEE_POST, INTEREST_POST)
# Escalation: what UK-02 holds back while forbearance is being assessed, what a limitation
# period or an extinguished debt stops besides contacts.
ESCALATIONS = (AGENCY_ASSIGN, LEGAL_REFERRAL, DEBT_SALE)
PURPOSES = ("collection", "reminder", "contact_repair", "opt_out_confirmation",
            "cease_exception", "payment_handling", "plan_proposal", "validation_notice",
            "moratorium_notice", "servicing")
DIRECTIONS = ("outbound", "inbound")
ACTING_PARTIES = ("bank", "agency")
NUMBER_TYPES = ("", "mobile", "landline", "shared_household", "workplace", "voip",
                "toll_free")
DIALING = ("", "manual", "autodialer", "prerecorded")
TCPA_TECHNOLOGIES = ("any", "autodialer", "prerecorded")
LIMITATION_REGIMES = ("CN_3Y", "US_STATE", "EWNI_6Y", "SCOT_5Y")
DISPUTE_FORMS = ("written", "oral")
MORATORIUM_KINDS = ("standard", "mental_health_crisis")
AGENCY_STATUSES = ("approved", "pending", "suspended", "terminated")
REFERRAL_KINDS = ("civil", "criminal", "statutory_demand", "proof_of_claim")
FEE_KINDS = ("late_fee", "annual_fee", "over_limit", "cash_advance", "collection", "other")
PLACES = ("home", "workplace", "public", "work_phone", "home_phone", "mobile", "email")
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
    "agency_assign": gettext_lazy("placement with a collection agency"),
    "cra_furnish": gettext_lazy("furnishing to a credit bureau"),
    "legal_referral": gettext_lazy("referral to litigation"),
    "fee_post": gettext_lazy("posting a fee"), "interest_post": gettext_lazy("posting interest"),
    "debt_sale": gettext_lazy("sale of the debt"),
    "validation_notice": gettext_lazy("validation notice"),
    "moratorium_notice": gettext_lazy("breathing-space notice"),
    "servicing": gettext_lazy("servicing"),
    "home": gettext_lazy("home"), "workplace": gettext_lazy("the workplace"),
    "public": gettext_lazy("a public place"),
    "shared_household": gettext_lazy("a shared household line"),
    "landline": gettext_lazy("a landline"), "voip": gettext_lazy("an internet phone number"),
    "toll_free": gettext_lazy("a toll-free number"),
    "autodialer": gettext_lazy("an autodialer"),
    "prerecorded": gettext_lazy("a prerecorded or artificial voice"),
    "standard": gettext_lazy("standard breathing space"),
    "mental_health_crisis": gettext_lazy("mental health crisis breathing space"),
    "civil": gettext_lazy("civil proceedings"), "criminal": gettext_lazy("criminal referral"),
    "statutory_demand": gettext_lazy("statutory demand"),
    "proof_of_claim": gettext_lazy("proof of claim in bankruptcy"),
    "CN_3Y": gettext_lazy("the 3-year limitation period (PRC Civil Code)"),
    "US_STATE": gettext_lazy("the state statute of limitations"),
    "EWNI_6Y": gettext_lazy("the 6-year limitation period (England, Wales, Northern Ireland)"),
    "SCOT_5Y": gettext_lazy("the 5-year prescription period (Scotland)"),
}


def label(code: str) -> str:
    return str(LABELS.get(code, code))


# The gate's verdicts as the pages name them (the stored code stays the same).
VERDICT_LABELS = {
    "allow": gettext_lazy("allowed"),
    "delay": gettext_lazy("not yet (delayed)"),
    "block": gettext_lazy("blocked"),
}


def verdict_label(code: str) -> str:
    return str(VERDICT_LABELS.get(code, code))


CONSENT_KINDS = ("contact_time", "callback")
CONVERSATION_OUTCOMES = frozenset({"right_party", "third_party"})
NOT_CONNECTED_OUTCOMES = frozenset({"not_connected", "busy"})
INVALID_NUMBER_OUTCOMES = frozenset({"wrong_number", "disconnected"})
FAILED_OUTCOMES = frozenset({"failed", "no_answer", "not_connected", "busy", "voicemail",
                             "wrong_number", "disconnected", "not_home"})
EXCLUDED_REASONS = ("", "consent_7d", "not_connected", "exempt_party")
MAX_STEPS = 24
