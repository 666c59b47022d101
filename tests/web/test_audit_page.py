"""/audit/: compliance officers and auditors read and filter; exports need a second person."""

import json

from django.contrib.auth.models import Permission

from arrears.audit.models import AuditEvent
from arrears.audit.services import audit_record


def _grant(user, *codenames):
    for codename in codenames:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="audit", codename=codename))


def test_collector_may_not_see_the_audit_trail(client, role_user):
    client.force_login(role_user("collector"))
    assert client.get("/audit/").status_code == 403


def test_filters_and_four_eyes_export(client, role_user):
    officer = role_user("compliance_officer")
    second = role_user("compliance_officer", username="second")
    for user in (officer, second):
        _grant(user, "view_auditevent", "export_data", "approve_export")
    audit_record(actor=officer, action="pii.reveal", object_id="CH-1")
    audit_record(actor=None, action="cycle_run", object_id="7")

    client.force_login(officer)
    html = client.get("/audit/", {"action": "pii.reveal"}).text
    assert "CH-1" in html and "cycle_run" not in html

    client.post("/audit/exports/", {"action": "pii.reveal", "reason": "regulator asked"})
    export = officer.export_requests.get()
    assert export.status == "pending"
    assert client.post(f"/audit/exports/{export.pk}/download/").status_code == 302  # refused
    client.post(f"/audit/exports/{export.pk}/decide/", {"approve": "1"})  # own: refused
    export.refresh_from_db()
    assert export.status == "pending"

    client.force_login(second)
    assert "exports-pending" in client.get("/audit/").text
    client.post(f"/audit/exports/{export.pk}/decide/", {"approve": "1", "note": "ok"})
    client.force_login(officer)
    response = client.post(f"/audit/exports/{export.pk}/download/")
    rows = [json.loads(line) for line in response.content.decode().splitlines()]
    assert [row["action"] for row in rows] == ["pii.reveal"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"export.request", "export.approve", "export.run"} <= actions


def test_dates_at_the_ends_of_the_calendar_are_not_a_server_error(client, role_user):
    """Review finding: ``/audit/?from=0001-01-01`` and ``?to=9999-12-31`` ended in HTTP 500
    (OverflowError); there is nothing before the first day nor after the last, so such a bound
    leaves the list open on that side."""
    officer = role_user("compliance_officer")
    _grant(officer, "view_auditevent")
    audit_record(actor=officer, action="pii.reveal", object_id="CH-1")
    client.force_login(officer)
    for bounds in ({"from": "0001-01-01"}, {"to": "9999-12-31"},
                   {"from": "0001-01-01", "to": "9999-12-31"}):
        response = client.get("/audit/", bounds)
        assert response.status_code == 200, bounds
        assert "CH-1" in response.text


def test_an_approved_export_holds_what_was_counted_and_approved_not_what_came_later(
        client, role_user):
    """Review finding: the download re-ran the filters, so events recorded after the approval
    went out in a file nobody had approved."""
    officer = role_user("compliance_officer")
    second = role_user("compliance_officer", username="second")
    for user in (officer, second):
        _grant(user, "view_auditevent", "export_data", "approve_export")
    audit_record(actor=officer, action="pii.reveal", object_id="CH-1")
    client.force_login(officer)
    client.post("/audit/exports/", {"action": "pii.reveal", "reason": "regulator asked"})
    export = officer.export_requests.get()
    client.force_login(second)
    client.post(f"/audit/exports/{export.pk}/decide/", {"approve": "1"})
    audit_record(actor=officer, action="pii.reveal", object_id="CH-2")  # after the approval

    client.force_login(officer)
    response = client.post(f"/audit/exports/{export.pk}/download/")
    rows = [json.loads(line) for line in response.content.decode().splitlines()]
    assert [row["object_id"] for row in rows] == ["CH-1"]
    assert len(rows) == export.record_count
