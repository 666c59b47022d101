"""Words for the audit trail's action codes, in the reader's language.

The trail stores the code (it is part of each event's hash and never changes); the page shows
these words beside it. A code this catalogue does not know is shown as it is.
"""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # personal data and the trail itself
    "account.view": _("Account page viewed"),
    "pii.view": _("Personal data viewed"),
    "admin.view": _("Administration page viewed"),
    "pii.reveal": _("Personal data revealed"),
    "export.request": _("Export requested"),
    "export.approve": _("Export approved"),
    "export.reject": _("Export rejected"),
    "export.run": _("Export downloaded"),
    "audit.export": _("Audit trail exported"),
    "account.search": _("Accounts searched"),
    "list.export": _("List exported"),
    "list.export_refused": _("List export refused (too many rows)"),
    "api_token_create": _("API token created"),
    "api_token_revoke": _("API token revoked"),
    # the ledger and the night
    "import": _("File imported"),
    "cycle_run": _("Nightly cycle run"),
    "night_run": _("Night run (all steps)"),
    "decisions_run": _("Nightly decisions run"),
    "arrangements_evaluate": _("Promises and plans judged"),
    "posting_purchase": _("Purchase posted"),
    "posting_cash": _("Cash advance posted"),
    "posting_payment": _("Payment posted"),
    "posting_reversal": _("Reversal posted"),
    "posting_interest": _("Interest posted"),
    "posting_late_fee": _("Late fee posted"),
    "posting_waiver": _("Waiver posted"),
    "posting_adjustment": _("Adjustment posted"),
    "posting_write_off": _("Write-off posted"),
    # the workbench
    "note_add": _("Note added"),
    "outcome_record": _("Outcome recorded"),
    "queue_reassign": _("Queue re-assigned"),
    # arrangements
    "promise_take": _("Promise to pay taken"),
    "promise_kept": _("Promise kept"),
    "promise_partly_kept": _("Promise partly kept"),
    "promise_broken": _("Promise broken"),
    "plan_propose": _("Plan proposed"),
    "plan_activate": _("Plan activated"),
    "plan_completed": _("Plan completed"),
    "plan_breached": _("Plan breached"),
    "waiver_propose": _("Waiver proposed"),
    "waiver_apply": _("Waiver applied"),
    "settlement_propose": _("Settlement proposed"),
    "settlement_broken": _("Settlement not paid in time"),
    "approval_request": _("Approval requested"),
    "approval_decide": _("Approval decided"),
    # compliance
    "compliance.hold_place": _("Hold placed"),
    "compliance.hold_release": _("Hold released"),
    "compliance.opt_out": _("Opt-out recorded"),
    "compliance.consent": _("Consent recorded"),
    "compliance.third_party_do_not_call": _("Third party asked not to be called"),
    "compliance.rule_change": _("Compliance rule changed"),
    # contact channels
    "template.save": _("Template saved"),
    "letter_create": _("Letter created"),
    "print_batch_create": _("Print batch created"),
    "tracking_numbers_import": _("Registered-mail numbers imported"),
    "call_task_create": _("Call task planned"),
    "skip_trace_task_create": _("Skip-trace task opened"),
    "visit_task_create": _("Field visit planned"),
    "visit_assign": _("Field visit collectors named"),
    "visit_approve": _("Field visit approved"),
    "visit_result_record": _("Field visit result recorded"),
    # recovery: agencies and placements
    "placement.batch": _("Accounts placed with agencies"),
    "placement.extend": _("Placement extended"),
    "placement.recall": _("Placement recalled"),
    "placement.recall_due": _("Placements recalled at the end of their window"),
    # reports
    "report.export": _("Report downloaded"),
    # the cardholder's self-service portal
    "selfservice_code_sent": _("Self-service: one-time code sent"),
    "selfservice_code_not_sent": _("Self-service: one-time code not sent"),
    "selfservice_code_limited": _("Self-service: code refused, too many asked for"),
    "selfservice_code_unmatched": _(
        "Self-service: code asked for with details that match no account"),
    "selfservice_code_failed": _("Self-service: wrong one-time code"),
    "selfservice_locked": _("Self-service: sign-in locked after wrong codes"),
    "selfservice_login": _("Self-service: cardholder signed in"),
    "selfservice_logout": _("Self-service: cardholder signed out"),
    "selfservice_payment_started": _("Self-service: payment started"),
    "selfservice_payment_succeeded": _("Self-service: payment received"),
    "selfservice_payment_failed": _("Self-service: payment failed"),
    "selfservice_promise": _("Self-service: promise to pay made"),
    # strategy and scoring
    "strategy.load": _("Strategy loaded"),
    "strategy.make_live": _("Strategy made live"),
    "strategy.challenger_create": _("Challenger created"),
    "model.register": _("Score model registered"),
    "model.import": _("Score model imported"),
    "model.make_live": _("Score model made live"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


# What an export request is for (``ExportRequest.kind``).
EXPORT_KIND_LABELS = {
    "audit_events": _("audit events"),
}


def export_kind_label(code: str) -> str:
    return str(EXPORT_KIND_LABELS.get(code, code))
