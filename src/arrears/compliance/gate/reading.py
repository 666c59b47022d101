"""Reading a message for what it says, sentence by sentence, rather than for words alone.

The word lists (``packs/words.json``, editable as ``ForbiddenWord``) name what a word or
pattern means (a category); this module reads them in their sentence:

- a legal-action word is a *threat* only when it is asserted: not denied by a negation in the
  same clause ("we will not sue you", "我们不会起诉您") and not part of a statement the law asks
  for (``required_statement``: "because of the age of your debt, we will not sue you");
  "if you don't pay, we will sue you" and "不还款就起诉你" stay threats, because a comma, a
  connector or a new subject (``clause_break``) ends the negation's reach;
- a sentence *overshadows* the dispute rights (US-21) when it asks for payment
  (``payment_request``) with urgency (``urgency``) and is not about disputing
  (``dispute_right``); it *pressures* (UK-05) when it asks for payment in one go
  (``lump_sum``) urgently, or tells the customer to sell or borrow (``pressure_means``);
- a voicemail is a *limited-content message* (US-18) when every sentence is one of the
  allowed slots (``lcm_*`` categories, a phone number) and the required ones are there;
- a required item is *present* when its category matches anywhere (CN-08, CN-10, US-19).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from arrears.compliance.content import Finding, Match, Word, findings_of, matches_in

SENTENCE_BREAK = re.compile(r"[。！？!?\n]+|(?<=[.;])\s+")
CLAUSE_PUNCTUATION = re.compile(r"[，,；;：:、]")
NEGATION_REACH_WORDS = 5
NEGATION_REACH_CHARS = 6
THREAT_EXEMPT = ("required_statement",)
LCM_REQUIRED = ("lcm_business", "lcm_person", "lcm_reply", "phone_number")
LCM_ALLOWED = (*LCM_REQUIRED, "lcm_salutation", "lcm_datetime", "lcm_times",
               "lcm_representative")
LCM_SLOTS = {"business_name": "lcm_business", "person_name": "lcm_person",
             "reply_request": "lcm_reply", "phone": "phone_number",
             "salutation": "lcm_salutation", "date_time": "lcm_datetime",
             "reply_times": "lcm_times", "any_representative": "lcm_representative"}
# What a limited-content message may not carry: anything about the debt, payment, the law,
# the collector's trade, pressure or inducements (other categories, e.g. a caller's name or a
# request to call, are what its slots are made of).
MORE_THAN_LIMITED = (
    "disclosure", "payment_request", "legal_threat", "threat", "impersonation", "exposure",
    "urgency", "lump_sum", "pressure_means", "collector_disclosure", "collector_full",
    "misleading", "premium_number", "letter_balance", "letter_basis", "letter_rights",
    "letter_repay", "letter_dispute", "dispute_right", "entrustment")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    matches: tuple[Match, ...]

    def categories(self) -> set[str]:
        return {m.category for m in self.matches}

    def has(self, *categories: str) -> bool:
        return any(m.category in categories for m in self.matches)


def _split(text: str) -> list[tuple[int, str]]:
    parts, position = [], 0
    for found in SENTENCE_BREAK.finditer(text):
        parts.append((position, text[position:found.start()]))
        position = found.end()
    parts.append((position, text[position:]))
    return [(start, part) for start, part in parts if part.strip()]


@dataclass(frozen=True)
class Reading:
    text: str
    sentences: tuple[Sentence, ...]
    slots: tuple[str, ...] = ()

    @classmethod
    def of(cls, text: str, language: str, words: tuple[Word, ...]) -> Reading:
        if not text:
            return EMPTY
        matches = matches_in(text, language, words)
        sentences = []
        for start, part in _split(text):
            end = start + len(part)
            sentences.append(Sentence(part, start, tuple(
                m for m in matches if start <= m.start and m.end <= end)))
        return cls(text, tuple(sentences))

    @classmethod
    def of_slots(cls, slots: dict, language: str, words: tuple[Word, ...]) -> Reading:
        """A message given slot by slot (US-18): each slot is a sentence of its slot's
        category, read for the words in it too."""
        sentences, position = [], 0
        for name, value in slots.items():
            slot_match = Match(position, position + len(value), value, LCM_SLOTS[name], "")
            found = tuple(Match(position + m.start, position + m.end, m.word, m.category,
                                m.rule_id) for m in matches_in(value, language, words))
            sentences.append(Sentence(value, position, (slot_match, *found)))
            position += len(value) + 1
        return cls(" ".join(slots.values()), tuple(sentences), tuple(slots))

    def has(self, *categories: str) -> bool:
        return any(s.has(*categories) for s in self.sentences)

    def findings(self) -> tuple[Finding, ...]:
        """Each listed word found, once (what the word-category checks read)."""
        return tuple(findings_of([m for s in self.sentences for m in s.matches]))

    def matches(self, *categories: str) -> list[Match]:
        return [m for s in self.sentences for m in s.matches if m.category in categories]

    def asserted(self, *categories: str, denial_counts: bool = True) -> list[Match]:
        """Matches of ``categories`` that are said: not in a statement the law requires and,
        when ``denial_counts``, not denied in their clause (see the module docstring)."""
        return [match for sentence, match in self._asserted(categories, denial_counts)]

    def asserted_in(self, category: str, *with_categories: str) -> list[Sentence]:
        """Sentences asserting ``category`` that also have every one of ``with_categories``."""
        return list(dict.fromkeys(
            sentence for sentence, _match in self._asserted((category,), True)
            if all(sentence.has(other) for other in with_categories)))

    def _asserted(self, categories, denial_counts: bool):
        for sentence in self.sentences:
            if sentence.has(*THREAT_EXEMPT):
                continue
            for match in sentence.matches:
                if match.category in categories and not (
                        denial_counts and self._negated(sentence, match)):
                    yield sentence, match

    def _negated(self, sentence: Sentence, target: Match) -> bool:
        for negation in sentence.matches:
            if negation.category != "negation" or negation.end > target.start:
                continue
            between = self.text[negation.end:target.start]
            if CLAUSE_PUNCTUATION.search(between):
                continue
            if any(m.category == "clause_break" and negation.end <= m.start
                   and m.end <= target.start for m in sentence.matches):
                continue
            if _within_reach(between):
                return True
        return False

    def limited_content(self) -> tuple[list[str], list[str]]:
        """For a voicemail: (required slots missing, sentences that are no allowed slot or
        carry more); a limited-content message has neither."""
        present = set().union(*(s.categories() for s in self.sentences)) if self.sentences \
            else set()
        missing = [c for c in LCM_REQUIRED if c not in present]
        extra = [s.text.strip() for s in self.sentences
                 if not s.has(*LCM_ALLOWED) or s.has(*MORE_THAN_LIMITED)]
        return missing, extra


def _within_reach(between: str) -> bool:
    if re.search(r"[\u4e00-\u9fff]", between):
        return len(between.strip()) <= NEGATION_REACH_CHARS
    return len(between.split()) <= NEGATION_REACH_WORDS


EMPTY = Reading("", ())
