"""What each outcome a collector records sets in motion: pure data, no database.

One row per outcome: the contact-ledger outcome it counts as, the compliance hold it places,
whether a dead number needs skip tracing, and when the account is worked next by default.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from arrears.workbench.models import OutcomeKind


@dataclass(frozen=True)
class OutcomeEffect:
    contact_outcome: str  # arrears.compliance.services.contact_record outcome
    hold: str = ""  # arrears.compliance.holds kind placed, "" for none
    skip_trace: bool = False  # the number called is dead or wrong: find a new one
    next_in_days: int | None = 1  # default next action, days from today; None: no next action


K = OutcomeKind
OUTCOME_EFFECTS: dict[str, OutcomeEffect] = {
    K.RIGHT_PARTY: OutcomeEffect("right_party", next_in_days=3),
    K.THIRD_PARTY: OutcomeEffect("third_party", next_in_days=1),
    K.NO_ANSWER: OutcomeEffect("no_answer", next_in_days=1),
    K.WRONG_NUMBER: OutcomeEffect("wrong_number", skip_trace=True, next_in_days=1),
    K.DISCONNECTED: OutcomeEffect("disconnected", skip_trace=True, next_in_days=1),
    K.REFUSED: OutcomeEffect("refused", next_in_days=2),
    # A promise is worked again the day after it falls due (see next_action_default).
    K.PROMISE: OutcomeEffect("right_party", next_in_days=None),
    K.DISPUTE: OutcomeEffect("right_party", hold="dispute", next_in_days=30),
    K.HARDSHIP: OutcomeEffect("right_party", hold="hardship", next_in_days=7),
    K.CEASE_CONTACT: OutcomeEffect("right_party", hold="cease_contact", next_in_days=None),
    K.COMPLAINT: OutcomeEffect("right_party", hold="complaint", next_in_days=7),
}

# Outcomes of a call that reached nobody on the debtor's side; the others are conversations.
UNANSWERED = frozenset({K.NO_ANSWER, K.WRONG_NUMBER, K.DISCONNECTED})


def next_action_default(kind: str, today: date, promise_due: date | None = None) -> date | None:
    """When the account is worked next after ``kind``: a promise the day after it falls due,
    a request to stop contact never, the others after the effect's number of days."""
    if kind == K.PROMISE:
        return promise_due + timedelta(days=1) if promise_due else None
    days = OUTCOME_EFFECTS[kind].next_in_days
    return None if days is None else today + timedelta(days=days)
