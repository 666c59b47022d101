"""COMPLIANCE.md case 22: reveal needs a purpose, exports are blocked or need a second person."""

import pytest

from arrears.audit.models import AuditEvent, ExportRequest
from arrears.audit.services import (
    BLOCK,
    REQUIRE_APPROVAL,
    ExportRefused,
    RevealRefused,
    audit_verify,
    export_check,
    export_decide,
    export_request,
    export_start,
    pii_reveal,
)


def _reveal(user, purpose="LITIGATION", reason="lawsuit filed"):
    return pii_reveal(user, object_type="cardholder", object_id="CH-1", fields=["national_id"],
                      purpose=purpose, reason=reason, account_id="AC-1", client="127.0.0.1")


def test_22a_reveal_without_purpose_is_refused(role_user):
    with pytest.raises(RevealRefused):
        _reveal(role_user("collector"))
    with pytest.raises(RevealRefused, match="purpose"):
        _reveal(role_user("team_lead"), purpose="")
    with pytest.raises(RevealRefused, match="why"):
        _reveal(role_user("legal_officer"), reason="  ")
    assert not AuditEvent.objects.filter(action="pii.reveal").exists()


def test_22b_legal_reveals_with_litigation_and_it_is_recorded(role_user):
    legal = role_user("legal_officer")
    event = _reveal(legal)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.purpose, stored.object_id) == (legal, "LITIGATION", "CH-1")
    assert stored.details == {"fields": ["national_id"], "reason": "lawsuit filed",
                              "account": "AC-1"}
    assert stored.client == "127.0.0.1"
    assert audit_verify().ok


def test_22c_collector_export_of_phone_numbers_is_blocked(role_user):
    collector = role_user("collector")
    assert export_check(collector, "phone_numbers", 5000).decision == BLOCK
    with pytest.raises(ExportRefused):
        export_request(collector, kind="phone_numbers", count=5000, reason="calls")
    assert not ExportRequest.objects.exists()
    assert AuditEvent.objects.get(action="export.request").details["decision"] == BLOCK


def test_22d_compliance_export_needs_a_second_approver(role_user):
    officer = role_user("compliance_officer")
    second = role_user("compliance_officer", username="second_officer")
    assert export_check(officer, "phone_numbers", 5000).decision == REQUIRE_APPROVAL
    request = export_request(officer, kind="phone_numbers", count=5000, reason="regulator")
    assert request.status == "pending"
    with pytest.raises(ExportRefused, match="not been approved"):
        export_start(request, actor=officer)
    with pytest.raises(ExportRefused, match="someone other"):
        export_decide(request, actor=officer, approve=True)
    with pytest.raises(ExportRefused, match="may not approve"):
        export_decide(request, actor=role_user("collector"), approve=True)
    request = export_decide(request, actor=second, approve=True, note="ok")
    assert (request.status, request.approver) == ("approved", second)
    with pytest.raises(ExportRefused, match="Only the person"):
        export_start(request, actor=second)
    assert export_start(request, actor=officer).status == "done"
    with pytest.raises(ExportRefused):
        export_start(request, actor=officer)  # runs once
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions == ["export.request", "export.approve", "export.run"]
    assert audit_verify().ok


def test_emergency_contacts_are_never_exported(role_user):
    officer = role_user("compliance_officer")
    assert export_check(officer, "emergency_contacts", 1).decision == BLOCK
