"""The roles of SPEC.md as Django groups, with the permissions each one needs.

Roles are data: the groups are created by a migration and an administrator may change their
permissions in the admin. ``ROLES`` is only the starting point.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from arrears.audit.permissions import PRIVACY_PERMISSIONS_BY_ROLE


@dataclass(frozen=True)
class Role:
    code: str
    label: object
    permissions: tuple[str, ...]  # "app_label.codename"
    person: bool = True  # False for a system calling the API: it never logs in to the pages


VIEW_PORTFOLIO = (
    "portfolio.view_product", "portfolio.view_cardholder", "portfolio.view_account",
    "portfolio.view_statement", "portfolio.view_contactpoint",
    "portfolio.view_thirdpartycontact", "ledger.view_posting", "ledger.view_accountposition",
    "ledger.view_cyclerun", "ledger.view_bucketchange", "ledger.view_delinquencypolicy",
    "ledger.view_delinquencyrange", "ledger.view_intereststop",
)

DELINQUENCY_POLICY_MANAGE = (
    "ledger.add_delinquencypolicy", "ledger.change_delinquencypolicy",
    "ledger.add_delinquencyrange", "ledger.change_delinquencyrange",
    "ledger.delete_delinquencyrange",
)

MANAGE_QUEUES = (
    "workbench.view_team", "workbench.add_team", "workbench.change_team",
    "workbench.delete_team", "workbench.view_collector", "workbench.add_collector",
    "workbench.change_collector", "workbench.delete_collector", "workbench.view_queueentry",
)

COMPLIANCE_VIEW = (
    "compliance.view_rulepack", "compliance.view_rulesetting", "compliance.view_contactattempt",
    "compliance.view_gatecheck", "compliance.view_hold", "compliance.view_consent",
    "compliance.view_optout", "compliance.view_forbiddenword",
    "compliance.view_thirdpartydonotcall",
)

COMPLIANCE_MANAGE = COMPLIANCE_VIEW + (
    "compliance.change_rulesetting", "compliance.add_forbiddenword",
    "compliance.change_forbiddenword", "compliance.add_hold", "compliance.change_hold",
    "compliance.add_consent", "compliance.change_consent", "compliance.add_optout",
    "compliance.change_optout", "compliance.add_thirdpartydonotcall",
    "compliance.change_thirdpartydonotcall",
)

OUTBOX_VIEW = (
    "channels.view_outboxmessage", "channels.view_simulatedsms", "channels.view_deliveryreceipt",
    "channels.view_template", "letters.view_letter", "letters.view_printbatch",
    "dialer.view_calltask", "dialer.view_visittask", "dialer.view_skiptracetask",
)

TEMPLATES_MANAGE = ("channels.add_template", "channels.change_template")

ARRANGEMENTS_VIEW = (
    "arrangements.view_promise", "arrangements.view_plan", "arrangements.view_planinstalment",
    "arrangements.view_waiver", "arrangements.view_approvalrequest",
    "arrangements.view_authoritylimit",
)

AUTHORITY_MANAGE = ("arrangements.change_authoritylimit", "arrangements.add_authoritylimit")

RECOVERY_VIEW = tuple(f"recovery.view_{model}" for model in (
    "agency", "commissiontier", "commissionlevel", "agencymember", "placementbatch",
    "placement", "placementrefusal", "placementextension"))
AGENCIES_MANAGE = RECOVERY_VIEW + tuple(
    f"recovery.{action}_{model}"
    for model in ("agency", "commissiontier", "commissionlevel", "agencymember")
    for action in ("add", "change", "delete"))
PLACEMENTS_MANAGE = RECOVERY_VIEW + ("recovery.add_placementbatch", "recovery.change_placement")

PRINT_DESK = ("letters.change_letter", "letters.view_printbatch")

IMPORT_PROFILES_MANAGE = tuple(
    f"imports.{action}_{model}" for model in ("importprofile", "importcolumn")
    for action in ("view", "add", "change", "delete"))

ROLES: tuple[Role, ...] = (
    Role("collector", _("Collector"), VIEW_PORTFOLIO + ARRANGEMENTS_VIEW),
    Role("team_lead", _("Team lead"),
         VIEW_PORTFOLIO + MANAGE_QUEUES + ARRANGEMENTS_VIEW + OUTBOX_VIEW
         + ("dialer.approve_visittask",)),
    Role("collections_manager", _("Collections manager"),
         VIEW_PORTFOLIO + MANAGE_QUEUES + ARRANGEMENTS_VIEW + AUTHORITY_MANAGE + OUTBOX_VIEW
         + PLACEMENTS_MANAGE + ("dialer.approve_visittask",)),
    Role("strategy_manager", _("Strategy manager"),
         VIEW_PORTFOLIO + AGENCIES_MANAGE + PLACEMENTS_MANAGE + ("channels.view_template",)),
    Role("compliance_officer", _("Compliance officer"),
         VIEW_PORTFOLIO + COMPLIANCE_MANAGE + OUTBOX_VIEW + TEMPLATES_MANAGE + ARRANGEMENTS_VIEW
         + RECOVERY_VIEW + ("portfolio.view_unmasked_pii",)),
    Role("legal_officer", _("Legal officer"), VIEW_PORTFOLIO + ("portfolio.view_unmasked_pii",)),
    Role("agency_manager", _("Agency manager"), VIEW_PORTFOLIO),
    Role("administrator", _("Administrator"),
         VIEW_PORTFOLIO + MANAGE_QUEUES + OUTBOX_VIEW + TEMPLATES_MANAGE + PRINT_DESK
         + AUTHORITY_MANAGE + IMPORT_PROFILES_MANAGE + DELINQUENCY_POLICY_MANAGE
         + AGENCIES_MANAGE + (
             "portfolio.add_product", "portfolio.change_product", "auth.view_user",
             "auth.add_user", "auth.change_user", "auth.view_group",
             "users.view_apitoken", "users.add_apitoken", "users.delete_apitoken",
         )),
    Role("auditor", _("Auditor"),
         VIEW_PORTFOLIO + COMPLIANCE_VIEW + OUTBOX_VIEW + ARRANGEMENTS_VIEW + RECOVERY_VIEW),
    Role("field_agent", _("Field agent"), ()),
    Role("api_client", _("System (API client)"), ("portfolio.view_account",), person=False),
)

ROLES = tuple(
    Role(role.code, role.label,
         role.permissions + PRIVACY_PERMISSIONS_BY_ROLE.get(role.code, ()), role.person)
    for role in ROLES
)

ROLE_CODES = tuple(r.code for r in ROLES)
PERSON_ROLE_CODES = tuple(r.code for r in ROLES if r.person)
