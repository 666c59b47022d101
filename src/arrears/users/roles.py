"""The roles of SPEC.md as Django groups, with the permissions each one needs.

Roles are data: the groups are created by a migration and an administrator may change their
permissions in the admin. ``ROLES`` is only the starting point.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    label: object
    permissions: tuple[str, ...]  # "app_label.codename"


VIEW_PORTFOLIO = (
    "portfolio.view_product", "portfolio.view_cardholder", "portfolio.view_account",
    "portfolio.view_statement", "portfolio.view_contactpoint",
    "portfolio.view_thirdpartycontact", "ledger.view_posting", "ledger.view_accountposition",
    "ledger.view_cyclerun", "ledger.view_bucketchange",
)

MANAGE_QUEUES = (
    "workbench.view_team", "workbench.add_team", "workbench.change_team",
    "workbench.delete_team", "workbench.view_collector", "workbench.add_collector",
    "workbench.change_collector", "workbench.delete_collector", "workbench.view_queueentry",
)

ROLES: tuple[Role, ...] = (
    Role("collector", _("Collector"), VIEW_PORTFOLIO + ("portfolio.view_unmasked_pii",)),
    Role("team_lead", _("Team lead"),
         VIEW_PORTFOLIO + MANAGE_QUEUES + ("portfolio.view_unmasked_pii",)),
    Role("collections_manager", _("Collections manager"),
         VIEW_PORTFOLIO + MANAGE_QUEUES + ("portfolio.view_unmasked_pii",)),
    Role("strategy_manager", _("Strategy manager"), VIEW_PORTFOLIO),
    Role("compliance_officer", _("Compliance officer"),
         VIEW_PORTFOLIO + ("portfolio.view_unmasked_pii", "audit.view_auditevent")),
    Role("legal_officer", _("Legal officer"), VIEW_PORTFOLIO + ("portfolio.view_unmasked_pii",)),
    Role("agency_manager", _("Agency manager"), VIEW_PORTFOLIO),
    Role("administrator", _("Administrator"), VIEW_PORTFOLIO + MANAGE_QUEUES + (
        "portfolio.add_product", "portfolio.change_product", "auth.view_user", "auth.add_user",
        "auth.change_user", "auth.view_group", "auth.change_group", "users.view_apitoken",
        "users.add_apitoken", "users.delete_apitoken",
    )),
    Role("auditor", _("Auditor"), VIEW_PORTFOLIO + ("audit.view_auditevent",)),
)

ROLE_CODES = tuple(r.code for r in ROLES)
