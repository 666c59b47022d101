"""Recording audit events. Every service that changes state or reveals personal data calls
:func:`audit_record`; nothing ever updates or deletes an ``AuditEvent``."""

from typing import Any

from arrears.audit.models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
    system: str = "system",
) -> AuditEvent:
    """Write one audit event. ``actor`` is a user or None for a system process named ``system``."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = user.get_username() if user else system
    return AuditEvent.objects.create(
        actor=user,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )
