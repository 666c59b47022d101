"""The compliance gate: may this action happen now, and if not, when?

Pure Python over plain values (no database): a ``ContactRequest`` (who, which channel, to whom,
when, the debtor's location, the recent contact history, holds, consents, opt-outs, content) and
a ``RulePackData`` (the parameters of every rule of one jurisdiction profile) go in; a
``GateAnswer`` comes out. Every rule is a small check function named by the pack (``check``), so
a pack is data: the same check serves CN-05 and US-01 with different parameters.

The package is split by concern: ``vocabulary`` (codes and their words), ``values`` and
``request`` (the request model and its validation), ``answer``, ``packs`` (loading and checking
rule packs), ``context`` (what a check sees), ``checks`` (one module per concern) and ``engine``
(evaluation, strictest wins, delays).

The strictest finding wins (BLOCK > REQUIRE_APPROVAL > REQUIRE_NOTE > WARN > ALLOW). A BLOCK
about time or frequency carries the earliest moment it would lift; when every BLOCK does, the
gate moves the request to that moment and asks again until nothing blocks, and answers
``delay`` with that ``not_before``. REQUIRE_APPROVAL answers ``block`` (an automatic sender
must not proceed) unless the request carries an ``approval_reference``.
"""

from arrears.compliance.gate.answer import GateAnswer, Reason
from arrears.compliance.gate.checks import CHECKS, debtor_unreachable
from arrears.compliance.gate.context import Context, next_lawful
from arrears.compliance.gate.engine import PackMissing, gate_check, request_zones
from arrears.compliance.gate.packs import (
    PACKS_DIR,
    PackInvalid,
    RuleConfig,
    RulePackData,
    default_pack,
    pack_file,
    pack_from_file,
    rule_problems,
)
from arrears.compliance.gate.request import (
    ConsentState,
    ContactRequest,
    HistoryItem,
    HoldState,
)
from arrears.compliance.gate.values import RequestInvalid, _aware, _json_value
from arrears.compliance.gate.vocabulary import (
    ACCOUNT_ACTIONS,
    ACTION_TYPES,
    ALLOW,
    BLOCK,
    CHANNELS,
    CONSENT_KINDS,
    CONVERSATION_OUTCOMES,
    COUNTERPARTIES,
    DECISIONS,
    EXCLUDED_REASONS,
    FAILED_OUTCOMES,
    INVALID_NUMBER_OUTCOMES,
    LABELS,
    NOT_CONNECTED_OUTCOMES,
    OUTCOMES,
    PROFILES,
    PURPOSES,
    REQUIRE_APPROVAL,
    REQUIRE_NOTE,
    SEVERITY,
    THIRD_PARTIES,
    WARN,
    label,
    verdict_label,
)

__all__ = [
    "verdict_label",
    "ACCOUNT_ACTIONS", "ACTION_TYPES", "ALLOW", "BLOCK", "CHANNELS", "CHECKS", "CONSENT_KINDS",
    "CONVERSATION_OUTCOMES",
    "COUNTERPARTIES", "DECISIONS", "EXCLUDED_REASONS", "FAILED_OUTCOMES",
    "INVALID_NUMBER_OUTCOMES", "LABELS", "NOT_CONNECTED_OUTCOMES", "OUTCOMES", "PACKS_DIR",
    "PROFILES", "PURPOSES", "REQUIRE_APPROVAL", "REQUIRE_NOTE", "SEVERITY", "THIRD_PARTIES",
    "WARN", "ConsentState", "ContactRequest", "Context", "GateAnswer", "HistoryItem", "HoldState",
    "PackInvalid", "PackMissing", "Reason", "RequestInvalid", "RuleConfig", "RulePackData",
    "_aware", "_json_value", "debtor_unreachable", "default_pack", "gate_check", "label",
    "next_lawful", "pack_file", "pack_from_file", "request_zones", "rule_problems",
]
