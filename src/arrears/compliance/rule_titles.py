"""The titles of the shipped rule packs (``packs/*.json``) as messages to translate.

A rule setting stores its title as written in the pack; the pages show it through
:func:`rule_title`, in the reader's language when it is a shipped title (a title a bank
wrote itself is shown as it is). ``tests/compliance`` checks that every shipped title is
listed here.
"""

from django.utils.translation import gettext, gettext_noop

SHIPPED_TITLES = (
    gettext_noop(
        "Collect only from the debtor and guarantor (and an approved debt-related third "
        "party, CN-03)"
    ),
    gettext_noop(
        "Third parties only when the debtor is unreachable (失联), only to repair contact, "
        "no disclosure"
    ),
    gettext_noop("Forbidden conduct: threats, impersonation of authorities, exposure"),
    gettext_noop("No collection 22:00–08:00 debtor-local time without consent"),
    gettext_noop("At most 6 unanswered dials a day to one number of the debtor"),
    gettext_noop(
        "At most 3 connected collection calls a day per debtor, across the bank and its "
        "agencies"
    ),
    gettext_noop("Dispute (异议) raised: annotate and verify; further collection flagged"),
    gettext_noop("Reminders of amounts coming due are servicing, not collection"),
    gettext_noop(
        "Personalised instalment plan (个性化分期): no collection while current; at most 60 "
        "months"
    ),
    gettext_noop("Field visits: at least 2 collectors, team-lead approval, inside the CN-05 hours"),
    gettext_noop("Contact data only from the six lawful channels"),
    gettext_noop("No intrusion into private life: policy caps for SMS, IM and e-mail a day"),
    gettext_noop("A channel the debtor refused is not used (one confirmation allowed)"),
    gettext_noop("Cease-contact request: no collection"),
    gettext_noop("Complaint open: collection only with a justification"),
    gettext_noop("Bankruptcy: no collection"),
    gettext_noop("Deceased: no collection from the estate without Legal"),
    gettext_noop("Hardship declared: collection flagged for QA"),
    gettext_noop("Represented by a lawyer: contact the lawyer, not the debtor"),
    gettext_noop("A promise to pay not yet due: no collection until the due date"),
    gettext_noop("Mental capacity concern: suspend collection"),
    gettext_noop(
        "No collection 21:00–08:00 debtor-local time without consent (conservative "
        "profile)"
    ),
    gettext_noop(
        "No communication before 08:00 or after 21:00 consumer-local time; all candidate "
        "zones (US-02)"
    ),
    gettext_noop("Not at a time or place the consumer said is inconvenient"),
    gettext_noop("Represented by an attorney: contact only the attorney"),
    gettext_noop(
        "Written cease or refusal: stop; only the three exception notices, approved by "
        "Legal"
    ),
    gettext_noop("No communication with third parties about the debt"),
    gettext_noop("Location-information contacts: once per third party, never mention the debt"),
    gettext_noop(
        "More than 7 calls about a debt in 7 consecutive days is presumed harassment "
        "(US-12 exclusions apply)"
    ),
    gettext_noop("No call about a debt for 7 days after a telephone conversation about it"),
    gettext_noop("No harassing volume of texts and e-mails (policy caps)"),
    gettext_noop("A medium the consumer opted out of is not used (one confirmation allowed)"),
    gettext_noop("Every e-mail and text carries a simple opt-out method"),
    gettext_noop("Dispute: stop collecting until verification is sent"),
    gettext_noop("Threats, impersonation and exposure; legal-action wording under a cease"),
    gettext_noop("Bankruptcy: automatic stay, no collection"),
    gettext_noop("Deceased: only the estate's representative, via Legal"),
    gettext_noop("A payment plan is current: no collection, reminders allowed"),
)


def rule_title(title: str) -> str:
    """The title in the reader's language when the catalogue has it, else as written."""
    return gettext(title) if title else title
