"""The one catalogue of words for the rule packs, in both languages: rule titles
(``RULE_TITLES``), what each check does (``CHECK_LABELS``), how each parameter is edited and
read (``PARAMETERS``: its kind of value, label, unit, help and choices) and what kind of value
the gate expects (``KIND_LABELS``, used by ``rule_problems``).

The compliance officer's forms (``compliance.admin_forms``) and the gate read the same entries.
Pure like the rest of the gate: codes from ``vocabulary`` and ``holds``, words through lazy
gettext, no models. The packs store codes and English titles; a title the catalogue does not
know (a bank's own pack) is shown as stored, a parameter it does not know is edited as words.
"""

from dataclasses import dataclass

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from arrears.compliance.gate.vocabulary import (
    ACTION_TYPES,
    AGENCY_STATUSES,
    ALLOW,
    BLOCK,
    CHANNELS,
    CONSENT_KINDS,
    COUNTERPARTIES,
    DIRECTIONS,
    DISPUTE_FORMS,
    LABELS,
    LIMITATION_REGIMES,
    NUMBER_TYPES,
    PURPOSES,
    REFERRAL_KINDS,
    REQUIRE_APPROVAL,
    REQUIRE_NOTE,
    WARN,
)
from arrears.compliance.holds import HOLD_CHOICES as HOLD_KIND_CHOICES


def gettext_noop(message: str) -> str:
    """Marks ``message`` for makemessages without translating it now (Django's own needs the
    settings at import; the gate is imported without them)."""
    return message


# Every title of the shipped packs, and the titles they had before (kept by databases loaded
# then), marked for makemessages; ``rule_title`` translates them when read.
RULE_TITLES = frozenset({
    gettext_noop("Collect only from the debtor and guarantor (and an approved debt-related third "
                 "party, CN-03)"),
    gettext_noop("Third parties only when the debtor is unreachable (失联), only to repair "
                 "contact, no disclosure"),
    gettext_noop("Forbidden conduct: threats, impersonation of authorities, exposure"),
    gettext_noop("No collection 22:00–08:00 debtor-local time without consent"),
    gettext_noop("At most 6 unanswered dials a day to one number of the debtor"),
    gettext_noop("At most 3 connected collection calls a day per debtor, across the bank and its "
                 "agencies"),
    gettext_noop("A disputed account is annotated and verified; collection is flagged until then"),
    gettext_noop("Reminders of amounts coming due are servicing, not collection"),
    gettext_noop("Personalised instalment plan (个性化分期): no collection while current; at "
                 "most 60 months"),
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
    gettext_noop("Tell the debtor about the entrustment before placing the account with an agency"),
    gettext_noop("Only approved agencies, with a contract in force and an inspection within 12 "
                 "months"),
    gettext_noop("Malicious-overdraft referral only with two effective collections 30 days "
                 "apart, 3 months after, principal ≥ RMB 50,000; Legal approves"),
    gettext_noop("Tell the person before furnishing negative credit information; mark disputes"),
    gettext_noop("3-year limitation: warn when 180 days or fewer remain; legal filing after "
                 "expiry needs approval"),
    gettext_noop("Collectors identify themselves and the institution (an agency also the "
                 "entrusting bank): no anonymous collection"),
    gettext_noop("A collection letter discloses name and balance, reason and legal basis, rights "
                 "and obligations, how to check, repay and dispute, the issuer's contact details "
                 "(the seal is stamped by the letter renderer)"),
    gettext_noop("Collection calls are recorded (kept at least 2 years): no call without the "
                 "recorder"),
    gettext_noop("No collection 21:00–08:00 debtor-local time without consent (conservative "
                 "profile)"),
    gettext_noop("No communication before 08:00 or after 21:00 consumer-local time; all "
                 "candidate zones (US-02)"),
    gettext_noop("Not at a time or place the consumer said is inconvenient"),
    gettext_noop("Represented by an attorney: contact only the attorney"),
    gettext_noop("Written cease or refusal: stop; only the three exception notices, approved by "
                 "Legal"),
    gettext_noop("No communication with third parties about the debt"),
    gettext_noop("Location-information contacts: once per third party, never mention the debt"),
    gettext_noop("More than 7 calls about a debt in 7 consecutive days is presumed harassment "
                 "(US-12 exclusions apply)"),
    gettext_noop("No call about a debt for 7 days after a telephone conversation about it"),
    gettext_noop("No harassing volume of texts and e-mails (policy caps)"),
    gettext_noop("A medium the consumer opted out of is not used (one confirmation allowed)"),
    gettext_noop("Every e-mail and text carries a simple opt-out method"),
    gettext_noop("A written dispute in the validation period stops collection of the debt until "
                 "verification is sent"),
    gettext_noop("Threats, impersonation and exposure; legal-action wording under a cease"),
    gettext_noop("Bankruptcy: automatic stay, no collection"),
    gettext_noop("Deceased: only the estate's representative, via Legal"),
    gettext_noop("A payment plan is current: no collection, reminders allowed"),
    gettext_noop("Validation notice in the initial communication or within 5 days after"),
    gettext_noop("Time-barred debt: no suit and no threat of suit (proofs of claim excepted)"),
    gettext_noop("No furnishing before speaking with the consumer or 14 days after a letter with "
                 "no undeliverable notice"),
    gettext_noop("Autodialled or prerecorded calls and texts to a mobile need prior express "
                 "consent, not revoked"),
    gettext_noop("Furnish accurately: show disputes, send the negative-information notice within "
                 "30 days, stop after 7 years + 180 days"),
    gettext_noop("A voicemail is a limited-content message, or a full message with the "
                 "disclosures on the consumer's own line"),
    gettext_noop("Nothing during the validation period overshadows the right to dispute (no "
                 "urgent payment demands)"),
    gettext_noop("Every communication says it is from a debt collector; the first one that it is "
                 "an attempt to collect a debt and information obtained will be used for that "
                 "purpose"),
    gettext_noop("Before texting, check the number against the reassigned-numbers database"),
    gettext_noop("No e-mail to an address known to be supplied by the employer"),
    gettext_noop("Forbearance and due consideration: no agency placement, litigation or sale "
                 "while forbearance is assessed"),
    gettext_noop("No undue, excessive or unfair use of statutory demands: Legal approves each"),
    gettext_noop("Due regard to reasonable requests about when, where and how to contact"),
    gettext_noop("No contact at unreasonable times: policy window 08:00–21:00 UK time"),
    gettext_noop("Do not disclose the debt to third parties"),
    gettext_noop("Establish identity before disclosing debt details"),
    gettext_noop("No visit when the customer is known or suspected to be particularly vulnerable"),
    gettext_noop("Visits: notice and purpose explained, approved first"),
    gettext_noop("Suspend pursuit when the customer might lack mental capacity"),
    gettext_noop("Statute-barred debts: no court action, no demands after the customer cites "
                 "limitation, nothing on an extinguished Scottish debt, flagged on sale"),
    gettext_noop("No legal proceedings while the Financial Ombudsman Service considers a "
                 "complaint"),
    gettext_noop("Breathing space: no payment requests, interest, fees and charges frozen, "
                 "enforcement paused"),
    gettext_noop("Vulnerable customers: adapt the contact strategy and route to the specialist "
                 "team"),
    gettext_noop("No excessive contact: policy caps per channel and local day"),
    gettext_noop("No threatening, misleading or embarrassing wording"),
    gettext_noop("Account hold: cease contact"),
    gettext_noop("Account hold: complaint"),
    gettext_noop("Account hold: bankruptcy"),
    gettext_noop("Account hold: deceased"),
    gettext_noop("Account hold: hardship"),
    gettext_noop("Account hold: legal representation"),
    gettext_noop("Account hold: promise"),
    gettext_noop("Account hold: plan"),
    gettext_noop("Account hold: capacity"),
    gettext_noop("No pressure to pay in one or a few large payments, in an unreasonably short "
                 "time, or by selling property or borrowing"),
    gettext_noop("Voicemails disclose nothing others could hear: limited content only"),
    # Titles of the shipped packs before CN-11 and US-22 became dispute rules.
    gettext_noop("Dispute (异议) raised: annotate and verify; further collection flagged"),
    gettext_noop("Dispute: stop collecting until verification is sent"),
})

CHECK_LABELS = {
    "contact_window": _("Contact hours in the debtor's local time"),
    "no_contact_preferences": _("Times, places and channels the debtor asked for"),
    "hold": _("Account hold"),
    "plan": _("Personalised instalment plan"),
    "collection_target": _("Who may be asked to pay"),
    "third_party_cn": _("Third parties only when the debtor is unreachable"),
    "third_party_us": _("No talk about the debt with third parties"),
    "location_call": _("Location calls to third parties"),
    "unanswered_per_contact_point": _("Unanswered dials per number a day"),
    "connected_per_day": _("Connected calls a day"),
    "servicing_reminder": _("Servicing reminders"),
    "visit": _("Field visits"),
    "provenance": _("Source of contact data"),
    "volume_caps": _("Messages a day per channel"),
    "opt_out": _("Channels the debtor opted out of"),
    "opt_out_method": _("Opt-out method in e-mails and texts"),
    "forbidden_content": _("Forbidden wording and legal-action wording"),
    "call_frequency_7d": _("Calls per debt in 7 days"),
    "after_conversation": _("No calls after a conversation"),
    "limitation": _("Limitation periods"),
    "moratorium": _("Breathing space"),
    "capacity": _("Mental capacity"),
    "vulnerability": _("Vulnerable customers"),
    "ombudsman": _("Complaint at the ombudsman"),
    "forbearance": _("Forbearance before escalation"),
    "validation_notice": _("Validation notice"),
    "dispute": _("Disputed debts"),
    "tcpa": _("Consent to autodialled and prerecorded calls"),
    "agency_placement": _("Approved agencies only"),
    "entrustment_notice": _("Tell the debtor before placing with an agency"),
    "furnish_after_contact": _("Contact before credit reporting"),
    "furnishing": _("Accurate credit reporting"),
    "criminal_referral": _("Criminal referral criteria"),
    "referral_approval": _("Referrals that need approval"),
    "identity_before_disclosure": _("Identity before discussing the debt"),
    "required_content": _("Items a message must carry"),
    "limited_content": _("Limited-content voicemails"),
    "overshadowing": _("No overshadowing of the right to dispute"),
    "pressure": _("No pressure to pay at once"),
    "recording": _("Calls are recorded"),
    "reassigned_number": _("Reassigned-number check before texting"),
    "employer_email": _("No e-mail to the employer's address"),
}


DECISION_LABELS = {
    ALLOW: _("allow"),
    WARN: _("allow with a warning"),
    REQUIRE_NOTE: _("allow with a note"),
    REQUIRE_APPROVAL: _("needs approval"),
    BLOCK: _("block"),
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
# The categories of the word lists (``ForbiddenWord.category``) and what the gate reads from
# content: words to refuse, items a message must carry, the structure of a sentence.
WORD_CATEGORIES = {
    "threat": _("threat"),
    "impersonation": _("impersonating authorities"),
    "exposure": _("exposure"),
    "legal_threat": _("legal-action wording"),
    "disclosure": _("debt disclosure (third parties)"),
    "payment_request": _("payment request"),
    "opt_out_method": _("opt-out method"),
    "negation": _("negation (structure)"),
    "clause_break": _("end of a negation's reach (structure)"),
    "required_statement": _("statement the law requires"),
    "collector_disclosure": _("debt-collector disclosure"),
    "collector_full": _("full debt-collector disclosure"),
    "identity_person": _("caller's name or staff number"),
    "identity_institution": _("institution's name"),
    "entrustment": _("entrusting bank"),
    "letter_name": _("letter: cardholder's name"),
    "letter_balance": _("letter: balance owed"),
    "letter_basis": _("letter: reason and legal basis"),
    "letter_rights": _("letter: rights and obligations"),
    "letter_check": _("letter: how to check"),
    "letter_repay": _("letter: how to repay"),
    "letter_dispute": _("letter: how to dispute"),
    "letter_contact": _("letter: issuer's contact details"),
    "urgency": _("urgency"),
    "lump_sum": _("payment in one go"),
    "pressure_means": _("selling or borrowing to pay"),
    "dispute_right": _("the right to dispute"),
    "premium_number": _("premium-rate number"),
    "misleading": _("misleading inducement"),
    "lcm_salutation": _("voicemail: greeting"),
    "lcm_reply": _("voicemail: request to reply"),
    "lcm_person": _("voicemail: person to contact"),
    "lcm_business": _("voicemail: business name"),
    "phone_number": _("telephone number"),
    "lcm_datetime": _("voicemail: date and time"),
    "lcm_times": _("voicemail: times to reply"),
    "lcm_representative": _("voicemail: any representative"),
}
DIRECTION_LABELS = {"outbound": _("we contact them"), "inbound": _("they contact us")}
DISPUTE_FORM_LABELS = {"written": _("in writing"), "oral": _("orally")}
AGENCY_STATUS_LABELS = {
    "approved": pgettext_lazy("agency status", "approved"),
    "pending": pgettext_lazy("agency status", "pending approval"),
    "suspended": pgettext_lazy("agency status", "suspended"),
    "terminated": pgettext_lazy("agency status", "terminated"),
}
NUMBER_TYPE_LABELS = {
    "mobile": _("mobile"), "landline": _("landline"),
    "shared_household": _("shared household line"), "workplace": _("workplace line"),
    "voip": _("internet phone number"), "toll_free": _("toll-free number"),
}


def _coded(codes, words: dict) -> tuple[tuple[str, object], ...]:
    """(code, words) for every code of the vocabulary, in its order (the empty code, "not
    known", is never a choice)."""
    return tuple((code, words[code]) for code in codes if code)


CHANNEL_CHOICES = _coded(CHANNELS, LABELS)
PURPOSE_CHOICES = _coded(PURPOSES, LABELS)
COUNTERPARTY_CHOICES = _coded(COUNTERPARTIES, LABELS)
ACTION_CHOICES = _coded(ACTION_TYPES, LABELS)
REGIME_CHOICES = _coded(LIMITATION_REGIMES, LABELS)
REFERRAL_CHOICES = _coded(REFERRAL_KINDS, LABELS)
DIRECTION_CHOICES = _coded(DIRECTIONS, DIRECTION_LABELS)
DISPUTE_FORM_CHOICES = _coded(DISPUTE_FORMS, DISPUTE_FORM_LABELS)
AGENCY_STATUS_CHOICES = _coded(AGENCY_STATUSES, AGENCY_STATUS_LABELS)
NUMBER_TYPE_CHOICES = _coded(NUMBER_TYPES, NUMBER_TYPE_LABELS)
CONSENT_KIND_CHOICES = _coded(CONSENT_KINDS, CONSENT_KIND_LABELS)
HOLD_CHOICES = tuple(HOLD_KIND_CHOICES)
CATEGORY_CHOICES = tuple(WORD_CATEGORIES.items())
SOURCE_CHOICES = tuple(SOURCE_LABELS.items())
DECISION_CHOICES = tuple(DECISION_LABELS.items())

# The kinds of parameter value, each with its own field in the officer's form:
KINDS = (
    "clock",       # a local time HH:MM
    "count",       # a whole number, 0 or more (with its unit)
    "positive",    # a whole number, 1 or more (with its unit)
    "amount",      # money, entered in the currency and stored in minor units
    "decision",    # one of the gate's decisions
    "hold",        # one kind of account hold
    "flag",        # yes or no
    "choices",     # some of a list of codes (ticked)
    "rule",        # a rule id the gate cites
    "rules",       # rule ids, separated by commas
    "caps",        # per message channel: a soft and a hard daily cap
    "exceptions",  # per purpose: a decision, and optionally the channels it holds for
    "words",       # free text: a parameter the catalogue does not know
)


@dataclass(frozen=True)
class Parameter:
    """How one rule parameter is edited and read: its kind of value (``KINDS``), label, help,
    unit and, for ``choices``, ``hold`` and the like, the codes offered with their words."""

    kind: str
    label: object
    help: object = ""
    unit: object = ""
    choices: tuple[tuple[str, object], ...] = ()


DAYS = _("days")
MONTHS = pgettext_lazy("length of time", "months")

PARAMETERS: dict[str, Parameter] = {
    # When: contact hours and the moments rules wait for.
    "start": Parameter("clock", _("Window opens"), _("Earliest local time of the debtor at "
                                                     "which contact is allowed."), _("HH:MM")),
    "end": Parameter("clock", _("Window closes"), _("Latest local time of the debtor at which "
                                                    "contact is allowed."), _("HH:MM")),
    "consent_kinds": Parameter("choices", _("Consents that allow another time"),
                               _("A recorded consent of these kinds lets contact happen "
                                 "outside the window."), choices=CONSENT_KIND_CHOICES),
    "consent_action": Parameter("decision", _("With such a consent"),
                                _("What the gate answers when a consent covers the time.")),
    "ambiguous_rule_id": Parameter("rule", _("Rule quoted when zones disagree"),
                                   _("Rule id named when the debtor may be in several time "
                                     "zones."), _("rule id")),
    # What the rule reads: action types, channels, directions, purposes, parties.
    "actions": Parameter("choices", _("Action types"),
                         _("The rule reads these action types instead of its check's own; "
                           "none ticked: it reads nothing."), choices=ACTION_CHOICES),
    "directions": Parameter("choices", _("Directions"),
                            _("Whether the rule also applies when the debtor contacts us."),
                            choices=DIRECTION_CHOICES),
    "channels": Parameter("choices", _("Channels"), _("The channels this rule applies to."),
                          choices=CHANNEL_CHOICES),
    "purposes": Parameter("choices", _("Purposes"), _("The purposes of contact this rule "
                                                      "applies to."), choices=PURPOSE_CHOICES),
    "exempt_purposes": Parameter("choices", _("Purposes not counted"),
                                 _("Contacts for these purposes are neither limited nor "
                                   "counted."), choices=PURPOSE_CHOICES),
    "allowed_purposes": Parameter("choices", _("Purposes allowed"),
                                  _("Third parties may be contacted for these purposes only."),
                                  choices=PURPOSE_CHOICES),
    "counterparties": Parameter("choices", _("Who is contacted"),
                                _("The people this rule applies to."),
                                choices=COUNTERPARTY_CHOICES),
    "targets": Parameter("choices", _("Who may be asked to pay"),
                         _("Anyone else is not a collection target."),
                         choices=COUNTERPARTY_CHOICES),
    "approval_required": Parameter("choices", _("Needs an approved determination"),
                                   _("These targets need a documented, approved decision "
                                     "first."), choices=COUNTERPARTY_CHOICES),
    "cites": Parameter("rule", _("Rule cited"),
                       _("The rule id the gate names in its answers for this rule."),
                       _("rule id")),
    # Holds.
    "hold": Parameter("hold", _("Hold kind"), _("The kind of hold on the account this rule "
                                                "reacts to."), choices=HOLD_CHOICES),
    "exceptions": Parameter("exceptions", _("Allowed exceptions"),
                            _("Purposes still allowed during the hold, and on which channels.")),
    "delay_until_end": Parameter("flag", _("Delay until the hold ends"),
                                 _("When the hold has an end date, contact waits for it instead "
                                   "of being refused.")),
    "exempt_referrals": Parameter("choices", _("Referrals not affected"),
                                  _("These referral kinds go ahead regardless (a proof of claim "
                                    "in bankruptcy)."), choices=REFERRAL_CHOICES),
    "max_term_months": Parameter("count", _("Longest plan"), _("A longer plan is refused."),
                                 _("months")),
    "proposal_action": Parameter("decision", _("A new plan"),
                                 _("What the gate answers to a plan proposal.")),
    # Content: word-list categories refused or required.
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
    "legal_threat_rule": Parameter("rule", _("Rule cited for legal-action wording"),
                                   _("Named when legal-action wording is flagged without a "
                                     "hold."), _("rule id")),
    "legal_threat_hold_rule": Parameter("rule", _("Rule cited for legal-action wording under a "
                                                  "hold"),
                                        _("Named when legal-action wording is refused under a "
                                          "hold."), _("rule id")),
    "required": Parameter("choices", _("Items every message carries"),
                          _("Word-list categories a message of these purposes must contain."),
                          choices=CATEGORY_CHOICES),
    "agency_required": Parameter("choices", _("Items an agency's message adds"),
                                 _("Required as well when an agency sends the message."),
                                 choices=CATEGORY_CHOICES),
    "initial_required": Parameter("choices", _("Items the first communication adds"),
                                  _("Required as well in the first communication with the "
                                    "debtor."), choices=CATEGORY_CHOICES),
    "full_message_allowed": Parameter("flag", _("A full message may be left"),
                                      _("A voicemail may say more than the limited content on the "
                                        "debtor's own line, when it carries every item a full "
                                        "message needs.")),
    "full_message_requires": Parameter("choices", _("Items a full message carries"),
                                       _("Word-list categories a full voicemail must contain."),
                                       choices=CATEGORY_CHOICES),
    "shared_number_types": Parameter("choices", _("Lines others share"),
                                     _("Never more than a limited-content voicemail on these "
                                       "lines."), choices=NUMBER_TYPE_CHOICES),
    # Third parties.
    "consecutive_failures": Parameter("count", _("Failed attempts that make a debtor "
                                                 "unreachable"),
                                      _("Attempts in a row that failed before third parties "
                                        "may be contacted."), _("attempts")),
    "trigger_action": Parameter("decision", _("Contacting a third party"),
                                _("What the gate answers when a third party may be "
                                  "contacted.")),
    "max_contacts": Parameter("count", _("Contacts per third party"),
                              _("How often one third party may be contacted."), _("contacts")),
    # How often.
    "max": Parameter("count", _("Daily limit"), _("Counted per local day of the debtor."),
                     _("per day")),
    "max_calls": Parameter("count", _("Calls allowed"), _("Calls about one debt within the "
                                                          "period."), _("calls")),
    "days": Parameter("positive", _("Period"), _("Length of the period counted."), DAYS),
    "consent_days": Parameter("positive", _("Consent valid for"),
                              _("How long a consent to more calls lasts."), DAYS),
    "consent_rule_ids": Parameter("rules", _("Consents of other rules that count"),
                                  _("Rule ids, separated by commas."), _("rule ids")),
    "caps": Parameter("caps", _("Messages a day"),
                      _("Soft cap: a warning from this many; hard cap: refused from this many."),
                      _("per day")),
    # Visits and the source of contact data.
    "min_collectors": Parameter("count", _("Collectors on a visit"),
                                _("Fewest collectors who go together."), _("collectors")),
    "visit_action": Parameter("decision", _("A visit to a vulnerable customer"),
                              _("What the gate answers to a field visit; other collection "
                                "gets the rule's action.")),
    "forbidden": Parameter("choices", _("Forbidden sources"),
                           _("Contact data from these sources is never used."),
                           choices=SOURCE_CHOICES),
    "allowed": Parameter("choices", _("Lawful sources"),
                         _("Contact data from these sources may be used."),
                         choices=SOURCE_CHOICES),
    "unlisted_action": Parameter("decision", _("A source in neither list"),
                                 _("What the gate answers for data of another source.")),
    "max_age_days": Parameter("count", _("Reassigned-number check valid for"),
                              _("A text waits for a check of the number at most this old."),
                              DAYS),
    "unknown_is_mobile": Parameter("flag", _("A number of unknown type counts as a mobile"),
                                   _("Autodialled or prerecorded contact then needs the "
                                     "consent a mobile needs.")),
    # Limitation, breathing space, disputes, validation.
    "regimes": Parameter("choices", _("Limitation periods"),
                         _("The limitation periods this rule applies."),
                         choices=REGIME_CHOICES),
    "court_action": Parameter("decision", _("Court action on a time-barred debt"),
                              _("What the gate answers to a referral to court after the "
                                "limitation period expired.")),
    "warn_days": Parameter("count", _("Warn before expiry"),
                           _("A referral is flagged when the limitation period ends within "
                             "this many days."), DAYS),
    "cited_stops": Parameter("flag", _("Stop demands once the customer cites limitation"),
                             _("After the customer says the debt is statute-barred, no "
                               "contact asks for payment.")),
    "extinguished_stops": Parameter("flag", _("Stop everything on an extinguished debt"),
                                    _("A debt extinguished by prescription (Scotland) is not "
                                      "collected, charged or reported as owed.")),
    "sale_must_flag": Parameter("flag", _("A sale must flag statute-barred debts"),
                                _("A sale of a time-barred debt is refused unless it tells the "
                                  "buyer.")),
    "threat_action": Parameter("decision", _("Legal-action wording on a time-barred debt"),
                               _("What the gate answers to a message that asserts legal action "
                                 "after the limitation period expired.")),
    "blocked_actions": Parameter("choices", _("Action types refused"),
                                 _("During a breathing space these wait until it ends."),
                                 choices=ACTION_CHOICES),
    "warn_actions": Parameter("choices", _("Action types flagged"),
                              _("During a breathing space these go ahead with a warning to "
                                "tell the agency or buyer."), choices=ACTION_CHOICES),
    "blocked_purposes": Parameter("choices", _("Purposes refused"),
                                  _("During a breathing space no contact for these purposes."),
                                  choices=PURPOSE_CHOICES),
    "forms": Parameter("choices", _("Disputes counted"),
                       _("Disputes received in these forms limit collection."),
                       choices=DISPUTE_FORM_CHOICES),
    "within_validation_period": Parameter("flag", _("Only disputes in the validation period"),
                                          _("A dispute received after the validation period "
                                            "does not count.")),
    "due_days": Parameter("positive", _("Validation notice due within"),
                          _("Days after the initial communication by which the notice is "
                            "sent."), DAYS),
    # Agencies, credit reporting, referrals.
    "statuses": Parameter("choices", _("Agency statuses allowed"),
                          _("An account is placed only with an agency of these statuses."),
                          choices=AGENCY_STATUS_CHOICES),
    "inspection_months": Parameter("positive", _("Last inspection within"),
                                   _("An agency not inspected this recently gets no accounts."),
                                   MONTHS),
    "min_days_before": Parameter("count", _("Notice before placement"),
                                 _("Days between telling the debtor about the entrustment and "
                                   "placing the account."), DAYS),
    "wait_days": Parameter("count", _("Wait after a letter"),
                           _("Without a conversation, furnishing waits this long after a "
                             "letter for an undeliverable notice."), DAYS),
    "obsolete_after_days": Parameter("positive", _("Reported for at most"),
                                     _("Counted from the start of the delinquency; an older "
                                       "item is no longer reported."), DAYS),
    "notice_within_days": Parameter("count", _("Negative-information notice within"),
                                    _("Days after furnishing to send the notice; 0: it is sent "
                                      "before furnishing."), DAYS),
    "mark_disputes": Parameter("flag", _("Report disputes as disputed"),
                               _("A disputed debt is furnished only marked as disputed.")),
    "min_principal_minor": Parameter("amount", _("Smallest unpaid principal"),
                                     _("A criminal referral needs at least this much unpaid "
                                       "principal, in the account's currency.")),
    "min_days_between": Parameter("count", _("Days between effective collections"),
                                  _("The two effective collections a referral needs are at "
                                    "least this far apart."), DAYS),
    "months_after": Parameter("count", _("Wait after the second collection"),
                              _("A referral waits this long after the second effective "
                                "collection."), MONTHS),
    "kinds": Parameter("choices", _("Referral kinds that need approval"),
                       _("Referrals of these kinds need Legal's approval."),
                       choices=REFERRAL_CHOICES),
}


def rule_title(title: str) -> str:
    """A rule's title in the reader's language (as stored when the catalogue lacks it)."""
    return gettext(title) if title in RULE_TITLES else title


def check_label(check: str) -> str:
    return str(CHECK_LABELS.get(check, check))


def decision_label(code: str) -> str:
    return str(DECISION_LABELS.get(code, code))


def parameter(name: str) -> Parameter:
    """The catalogue entry of ``name``; an unknown parameter is edited as words."""
    return PARAMETERS.get(name, Parameter("words", name))


KIND_LABELS = {
    "a time HH:MM": _("a time HH:MM"), "a decision": _("a decision"),
    "a hold kind": _("a hold kind"), "a rule id": _("a rule id"),
    "a whole number": _("a whole number"), "true or false": _("true or false"),
    "a whole number of at least 1": _("a whole number of at least 1"),
    "an amount in minor units (fen, cents)": _("an amount in minor units (fen, cents)"),
    "a list of action types": _("a list of action types"),
    "a list of agency statuses": _("a list of agency statuses"),
    "a list of channels": _("a list of channels"),
    "a list of consent kinds": _("a list of consent kinds"),
    "a list of counterparties": _("a list of counterparties"),
    "a list of directions (outbound, inbound)": _("a list of directions (outbound, inbound)"),
    "a list of dispute forms (written, oral)": _("a list of dispute forms (written, oral)"),
    "a list of hold kinds": _("a list of hold kinds"),
    "a list of limitation regimes": _("a list of limitation regimes"),
    "a list of number types": _("a list of number types"),
    "a list of purposes": _("a list of purposes"),
    "a list of referral kinds": _("a list of referral kinds"),
    "a list of rule ids": _("a list of rule ids"), "a list of sources": _("a list of sources"),
    "a list of word categories": _("a list of word categories"),
    "channel → {soft, hard} whole numbers, soft ≤ hard":
        _("channel → {soft, hard} whole numbers, soft ≤ hard"),
    "purpose → {decision, channels}": _("purpose → {decision, channels}"),
}



def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
