"""Words for the codes of the rule packs: rule titles, parameter labels, units and help.

The packs store codes and English titles (``packs/*.json``); pages render these words in the
reader's language. A title the catalogue does not know (a bank's own pack) is shown as stored.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from arrears.compliance import gate
from arrears.compliance.holds import HOLD_KINDS
from arrears.compliance.models import ForbiddenWord

# Every title of the shipped packs, so that makemessages finds them.
RULE_TITLES = {
    title: translated for title, translated in (
        ("Collect only from the debtor and guarantor (and an approved debt-related third "
         "party, CN-03)",
         _("Collect only from the debtor and guarantor (and an approved debt-related third "
           "party, CN-03)")),
        ("Third parties only when the debtor is unreachable (失联), only to repair contact, "
         "no disclosure",
         _("Third parties only when the debtor is unreachable (失联), only to repair contact, "
           "no disclosure")),
        ("Forbidden conduct: threats, impersonation of authorities, exposure",
         _("Forbidden conduct: threats, impersonation of authorities, exposure")),
        ("No collection 22:00–08:00 debtor-local time without consent",
         _("No collection 22:00–08:00 debtor-local time without consent")),
        ("At most 6 unanswered dials a day to one number of the debtor",
         _("At most 6 unanswered dials a day to one number of the debtor")),
        ("At most 3 connected collection calls a day per debtor, across the bank and its "
         "agencies",
         _("At most 3 connected collection calls a day per debtor, across the bank and its "
           "agencies")),
        ("Dispute (异议) raised: annotate and verify; further collection flagged",
         _("Dispute (异议) raised: annotate and verify; further collection flagged")),
        ("Reminders of amounts coming due are servicing, not collection",
         _("Reminders of amounts coming due are servicing, not collection")),
        ("Personalised instalment plan (个性化分期): no collection while current; at most 60 "
         "months",
         _("Personalised instalment plan (个性化分期): no collection while current; at most 60 "
           "months")),
        ("Field visits: at least 2 collectors, team-lead approval, inside the CN-05 hours",
         _("Field visits: at least 2 collectors, team-lead approval, inside the CN-05 hours")),
        ("Contact data only from the six lawful channels",
         _("Contact data only from the six lawful channels")),
        ("No intrusion into private life: policy caps for SMS, IM and e-mail a day",
         _("No intrusion into private life: policy caps for SMS, IM and e-mail a day")),
        ("A channel the debtor refused is not used (one confirmation allowed)",
         _("A channel the debtor refused is not used (one confirmation allowed)")),
        ("Cease-contact request: no collection", _("Cease-contact request: no collection")),
        ("Complaint open: collection only with a justification",
         _("Complaint open: collection only with a justification")),
        ("Bankruptcy: no collection", _("Bankruptcy: no collection")),
        ("Deceased: no collection from the estate without Legal",
         _("Deceased: no collection from the estate without Legal")),
        ("Hardship declared: collection flagged for QA",
         _("Hardship declared: collection flagged for QA")),
        ("Represented by a lawyer: contact the lawyer, not the debtor",
         _("Represented by a lawyer: contact the lawyer, not the debtor")),
        ("A promise to pay not yet due: no collection until the due date",
         _("A promise to pay not yet due: no collection until the due date")),
        ("Mental capacity concern: suspend collection",
         _("Mental capacity concern: suspend collection")),
        ("No collection 21:00–08:00 debtor-local time without consent (conservative profile)",
         _("No collection 21:00–08:00 debtor-local time without consent (conservative "
           "profile)")),
        ("No communication before 08:00 or after 21:00 consumer-local time; all candidate "
         "zones (US-02)",
         _("No communication before 08:00 or after 21:00 consumer-local time; all candidate "
           "zones (US-02)")),
        ("Not at a time or place the consumer said is inconvenient",
         _("Not at a time or place the consumer said is inconvenient")),
        ("Represented by an attorney: contact only the attorney",
         _("Represented by an attorney: contact only the attorney")),
        ("Written cease or refusal: stop; only the three exception notices, approved by Legal",
         _("Written cease or refusal: stop; only the three exception notices, approved by "
           "Legal")),
        ("No communication with third parties about the debt",
         _("No communication with third parties about the debt")),
        ("Location-information contacts: once per third party, never mention the debt",
         _("Location-information contacts: once per third party, never mention the debt")),
        ("More than 7 calls about a debt in 7 consecutive days is presumed harassment (US-12 "
         "exclusions apply)",
         _("More than 7 calls about a debt in 7 consecutive days is presumed harassment (US-12 "
           "exclusions apply)")),
        ("No call about a debt for 7 days after a telephone conversation about it",
         _("No call about a debt for 7 days after a telephone conversation about it")),
        ("No harassing volume of texts and e-mails (policy caps)",
         _("No harassing volume of texts and e-mails (policy caps)")),
        ("A medium the consumer opted out of is not used (one confirmation allowed)",
         _("A medium the consumer opted out of is not used (one confirmation allowed)")),
        ("Every e-mail and text carries a simple opt-out method",
         _("Every e-mail and text carries a simple opt-out method")),
        ("Dispute: stop collecting until verification is sent",
         _("Dispute: stop collecting until verification is sent")),
        ("Threats, impersonation and exposure; legal-action wording under a cease",
         _("Threats, impersonation and exposure; legal-action wording under a cease")),
        ("Bankruptcy: automatic stay, no collection", _("Bankruptcy: automatic stay, no "
                                                        "collection")),
        ("Deceased: only the estate's representative, via Legal",
         _("Deceased: only the estate's representative, via Legal")),
        ("A payment plan is current: no collection, reminders allowed",
         _("A payment plan is current: no collection, reminders allowed")),
    )
}

DECISION_LABELS = {
    gate.ALLOW: _("allow"),
    gate.WARN: _("allow with a warning"),
    gate.REQUIRE_NOTE: _("allow with a note"),
    gate.REQUIRE_APPROVAL: _("needs approval"),
    gate.BLOCK: _("block"),
}
CONSENT_KIND_LABELS = {"contact_time": _("agreed contact time"), "callback": _("callback asked")}
SOURCE_LABELS = {
    "contract": _("card contract"), "application": _("application form"),
    "debtor_provided": _("given by the debtor"),
    "debtor_authorised": _("authorised by the debtor"),
    "public_source": _("public source"), "reserved_contact": _("contact reserved with the bank"),
    "credit_bureau": _("credit bureau"),
    "address_book": _("phone address book"), "purchased": _("purchased list"),
    "scraped": _("scraped from the web"), "unknown": _("unknown"),
}


def rule_title(title: str) -> str:
    """A rule's title in the reader's language (as stored when the catalogue lacks it)."""
    return str(RULE_TITLES.get(title, title))


def decision_label(code: str) -> str:
    return str(DECISION_LABELS.get(code, code))


@dataclass(frozen=True)
class Parameter:
    """How one rule parameter is edited: its kind of value, label, unit and help text."""

    kind: str  # clock | count | positive | decision | hold | flag | choices | words | mapping
    label: object
    help: object = ""
    unit: object = ""
    choices: tuple[tuple[str, object], ...] = ()


def _choices(labels: dict) -> tuple[tuple[str, object], ...]:
    return tuple(labels.items())


CHANNEL_CHOICES = tuple((code, gate.LABELS[code]) for code in gate.CHANNELS)
PURPOSE_CHOICES = tuple((code, gate.LABELS[code]) for code in gate.PURPOSES)
COUNTERPARTY_CHOICES = tuple((code, gate.LABELS[code]) for code in gate.COUNTERPARTIES)
HOLD_CHOICES = _choices(HOLD_KINDS)
CATEGORY_CHOICES = tuple(ForbiddenWord.Category.choices)
DECISION_CHOICES = _choices(DECISION_LABELS)

PARAMETERS: dict[str, Parameter] = {
    "start": Parameter("clock", _("Window opens"), _("Earliest local time of the debtor at "
                                                     "which contact is allowed."), _("HH:MM")),
    "end": Parameter("clock", _("Window closes"), _("Latest local time of the debtor at which "
                                                    "contact is allowed."), _("HH:MM")),
    "channels": Parameter("choices", _("Channels"), _("The channels this rule applies to."),
                          choices=CHANNEL_CHOICES),
    "consent_kinds": Parameter("choices", _("Consents that allow another time"),
                               _("A recorded consent of these kinds lets contact happen "
                                 "outside the window."), choices=_choices(CONSENT_KIND_LABELS)),
    "consent_action": Parameter("decision", _("With such a consent"),
                                _("What the gate answers when a consent covers the time.")),
    "ambiguous_rule_id": Parameter("words", _("Rule quoted when zones disagree"),
                                   _("Rule id named when the debtor may be in several time "
                                     "zones."), _("rule id")),
    "hold": Parameter("hold", _("Hold kind"), _("The kind of hold on the account this rule "
                                                "reacts to."), choices=HOLD_CHOICES),
    "counterparties": Parameter("choices", _("Who is contacted"),
                                _("The people this rule applies to."),
                                choices=COUNTERPARTY_CHOICES),
    "exceptions": Parameter("mapping", _("Allowed exceptions"),
                            _("Purposes still allowed during the hold, and on which channels.")),
    "delay_until_end": Parameter("flag", _("Delay until the hold ends"),
                                 _("When the hold has an end date, contact waits for it instead "
                                   "of being refused.")),
    "max_term_months": Parameter("count", _("Longest plan"), _("A longer plan is refused."),
                                 _("months")),
    "proposal_action": Parameter("decision", _("A new plan"),
                                 _("What the gate answers to a plan proposal.")),
    "purposes": Parameter("choices", _("Purposes"), _("The purposes of contact this rule "
                                                      "applies to."), choices=PURPOSE_CHOICES),
    "exempt_purposes": Parameter("choices", _("Purposes not counted"),
                                 _("Contacts for these purposes are neither limited nor "
                                   "counted."), choices=PURPOSE_CHOICES),
    "allowed_purposes": Parameter("choices", _("Purposes allowed"),
                                  _("Third parties may be contacted for these purposes only."),
                                  choices=PURPOSE_CHOICES),
    "targets": Parameter("choices", _("Who may be asked to pay"),
                         _("Anyone else is not a collection target."),
                         choices=COUNTERPARTY_CHOICES),
    "approval_required": Parameter("choices", _("Needs an approved determination"),
                                   _("These targets need a documented, approved decision "
                                     "first."), choices=COUNTERPARTY_CHOICES),
    "disclosure_categories": Parameter("choices", _("Words that disclose the debt"),
                                       _("Word-list categories a third party must not hear."),
                                       choices=CATEGORY_CHOICES),
    "confirmation_forbids": Parameter("choices", _("Not in an opt-out confirmation"),
                                      _("Word-list categories an opt-out confirmation may not "
                                        "contain."), choices=CATEGORY_CHOICES),
    "block_categories": Parameter("choices", _("Words that block a message"),
                                  _("Word-list categories that are never allowed."),
                                  choices=CATEGORY_CHOICES),
    "legal_threat_holds": Parameter("choices", _("Holds that forbid legal-action wording"),
                                    _("Under these holds legal-action wording is blocked."),
                                    choices=HOLD_CHOICES),
    "legal_threat_action": Parameter("decision", _("Legal-action wording otherwise"),
                                     _("What the gate answers to legal-action wording without "
                                       "such a hold.")),
    "consecutive_failures": Parameter("count", _("Failed attempts that make a debtor "
                                                 "unreachable"),
                                      _("Attempts in a row that failed before third parties "
                                        "may be contacted."), _("attempts")),
    "trigger_action": Parameter("decision", _("Contacting a third party"),
                                _("What the gate answers when a third party may be "
                                  "contacted.")),
    "max_contacts": Parameter("count", _("Contacts per third party"),
                              _("How often one third party may be contacted."), _("contacts")),
    "max": Parameter("count", _("Daily limit"), _("Counted per local day of the debtor."),
                     _("per day")),
    "max_calls": Parameter("count", _("Calls allowed"), _("Calls about one debt within the "
                                                          "period."), _("calls")),
    "days": Parameter("positive", _("Period"), _("Length of the period counted."), _("days")),
    "consent_days": Parameter("positive", _("Consent valid for"),
                              _("How long a consent to more calls lasts."), _("days")),
    "consent_rule_ids": Parameter("words", _("Consents of other rules that count"),
                                  _("Rule ids, separated by commas."), _("rule ids")),
    "min_collectors": Parameter("count", _("Collectors on a visit"),
                                _("Fewest collectors who go together."), _("collectors")),
    "forbidden": Parameter("choices", _("Forbidden sources"),
                           _("Contact data from these sources is never used."),
                           choices=_choices(SOURCE_LABELS)),
    "allowed": Parameter("choices", _("Lawful sources"),
                         _("Contact data from these sources may be used."),
                         choices=_choices(SOURCE_LABELS)),
    "unlisted_action": Parameter("decision", _("A source in neither list"),
                                 _("What the gate answers for data of another source.")),
    "caps": Parameter("mapping", _("Messages a day"),
                      _("Soft cap: a warning from this many; hard cap: refused from this many."),
                      _("per day")),
}


def parameter(name: str) -> Parameter:
    """The catalogue entry of ``name``; an unknown parameter is edited as words."""
    return PARAMETERS.get(name, Parameter("words", name))
