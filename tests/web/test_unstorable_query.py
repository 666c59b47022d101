"""Review finding: on PostgreSQL a NUL byte in a page's query string (a search, a filter)
reached the database, which refuses it: HTTP 500. Every page that takes text from the URL
answers without a server error."""

import pytest
from django.contrib.auth.models import User

from arrears.users.services import role_groups_ensure, user_create_for_role

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
PAGES = [
    ("collections_manager", "/accounts/", "q"),
    ("collections_manager", "/decisions/account/", "q"),
    ("collections_manager", "/channels/outbox/", "status"),
    ("collections_manager", "/channels/outbox/", "channel"),
    ("collections_manager", "/channels/outbox/", "template_code"),
    ("compliance_officer", "/audit/", "actor"),
    ("compliance_officer", "/audit/", "action"),
    ("compliance_officer", "/audit/", "object_id"),
    ("compliance_officer", "/admin/portfolio/account/", "q"),
    ("compliance_officer", "/admin/channels/outboxmessage/", "q"),
    ("compliance_officer", "/admin/audit/auditevent/", "q"),
    ("compliance_officer", "/admin/channels/outboxmessage/", "channel"),
    ("administrator", "/admin/auth/user/", "q"),
]


@pytest.mark.parametrize(("role", "url", "param"), PAGES)
def test_a_nul_byte_in_the_query_string_is_not_a_server_error(client, role, url, param):
    role_groups_ensure()
    user = user_create_for_role(username=role, role=role, password="x" * 20)
    if role == "compliance_officer":
        from django.contrib.auth.models import Permission
        user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    client.force_login(User.objects.get(pk=user.pk))
    response = client.get(url, {param: NUL})
    assert response.status_code < 500, (url, param, response.status_code)


def test_a_nul_byte_in_a_form_is_refused_naming_the_field_and_nothing_is_stored(client):
    from django.contrib.auth.models import Permission

    from arrears.audit.models import ExportRequest

    role_groups_ensure()
    officer = user_create_for_role(username="officer", role="compliance_officer",
                                   password="x" * 20)
    for codename in ("view_auditevent", "export_data"):
        officer.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(User.objects.get(pk=officer.pk))
    response = client.post("/audit/exports/", {"reason": f"regulator {NUL}", "action": ""},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "reason" in response.content.decode() and "U+0000" in response.content.decode()
    assert not ExportRequest.objects.exists()
    # Tab and line breaks are ordinary text.
    client.post("/audit/exports/", {"reason": "regulator\r\n\tasked", "action": ""})
    assert ExportRequest.objects.count() == 1
