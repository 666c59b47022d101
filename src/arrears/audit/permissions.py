"""Which roles get the privacy permissions (COMPLIANCE.md b.4). ``users/roles.py`` adds these
to the roles' starting permissions; an administrator may change them in the admin later."""

REVEAL_PII = "audit.reveal_pii"
VIEW_AUDIT = "audit.view_auditevent"
EXPORT_DATA = "audit.export_data"
APPROVE_EXPORT = "audit.approve_export"

PRIVACY_PERMISSIONS_BY_ROLE: dict[str, tuple[str, ...]] = {
    "collector": (),
    "team_lead": (REVEAL_PII,),
    "collections_manager": (REVEAL_PII,),
    "compliance_officer": (REVEAL_PII, VIEW_AUDIT, EXPORT_DATA, APPROVE_EXPORT),
    "legal_officer": (REVEAL_PII,),
    "auditor": (VIEW_AUDIT, EXPORT_DATA, APPROVE_EXPORT),
    "agency_manager": (),
    "strategy_manager": (),
    "administrator": (),
}
