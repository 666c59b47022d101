"""Finding 3: admin pages showed personal data unmasked, without a purpose and without an audit
event (the outbox message's phone and body, the cardholder's ID number). Every changelist,
search result and change page of every registered model, as every role that reaches the
admin, must show none of the seeded full values; a reveal needs a purpose and is audited."""

import pytest
from django.contrib import admin

from arrears.audit.models import AuditEvent
from arrears.channels.models import OutboxMessage
from arrears.portfolio.models import Cardholder
from tests.admin.conftest import ADMIN_ROLES, logged_in
from tests.admin.seed import (
    ADDRESS,
    FULL_VALUES,
    MOBILE,
    NAME,
    NATIONAL_ID,
    THIRD_PHONE,
    seed_every_model,
)

pytestmark = pytest.mark.django_db
PAGES_PER_MODEL = 3


@pytest.fixture
def seeded(superuser):
    return seed_every_model(superuser)


def _admin_urls():
    """The changelist, a search and a few change pages of every registered model."""
    for model in admin.site._registry:
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        yield base
        yield f"{base}?q=AC-ADMIN"
        yield f"{base}?q=CH-ADMIN"
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[
                :PAGES_PER_MODEL]:
            yield f"{base}{pk}/change/"


def test_every_registered_model_has_a_row_to_show(seeded):
    empty = [model._meta.label_lower for model in admin.site._registry
             if not model._default_manager.exists()]
    assert empty == []


@pytest.mark.parametrize("role", [*ADMIN_ROLES, "superuser"])
def test_no_admin_page_shows_personal_data_in_full(role, role_user, superuser, seeded):
    user = superuser if role == "superuser" else role_user(role)
    client = logged_in(user)
    leaks, shown = [], 0
    for url in _admin_urls():
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        if response.status_code != 200:
            continue
        shown += 1
        html = response.content.decode()
        leaks += [(url, value) for value in FULL_VALUES if value in html]
    assert leaks == [], "\n".join(map(str, leaks))
    assert shown > 0


def test_search_never_looks_into_personal_data(superuser, seeded):
    """Otherwise the search box would tell whether a given ID number or phone is on file."""
    client = logged_in(superuser)
    for url in ("/admin/portfolio/cardholder/", "/admin/channels/outboxmessage/",
                "/admin/dialer/calltask/",
                "/admin/letters/letter/"):
        for value in (NATIONAL_ID, MOBILE, NAME):
            changelist = client.get(url, {"q": value}).context["cl"]
            assert changelist.search_fields, url
            assert changelist.result_count == 0, (url, value)


def test_the_outbox_message_shows_the_phone_and_body_masked(role_user, seeded):
    client = logged_in(role_user("compliance_officer"))
    message = seeded["message"]
    html = client.get(f"/admin/channels/outboxmessage/{message.pk}/change/").content.decode()
    assert "138****5678" in html and "张*，请按时还款。" in html
    assert MOBILE not in html and NAME not in html


def test_the_cardholder_page_is_masked_read_only_and_its_viewing_audited(superuser, seeded):
    holder = seeded["cardholder"]
    client = logged_in(superuser)
    page = client.get(f"/admin/portfolio/cardholder/{holder.pk}/change/")
    html = page.content.decode()
    assert "110***********002X" in html and NATIONAL_ID not in html
    assert 'name="national_id"' not in html and 'name="name"' not in html
    event = AuditEvent.objects.filter(action="admin.view").last()
    assert (event.actor, event.object_type, event.object_id) == (
        superuser, "portfolio.cardholder", str(holder.pk))
    assert event.details["masking"] == "M1"
    response = client.post(f"/admin/portfolio/cardholder/{holder.pk}/change/",
                           {"external_id": holder.external_id, "name": "someone else",
                            "national_id": "110101199001010011"})
    assert response.status_code == 403
    assert client.post("/admin/portfolio/cardholder/add/",
                       {"external_id": "X", "name": "X"}).status_code == 403
    holder.refresh_from_db()
    assert holder.name == NAME and holder.national_id == NATIONAL_ID


def test_a_reveal_needs_a_purpose_and_a_reason_and_is_audited(role_user, seeded):
    holder = seeded["cardholder"]
    client = logged_in(role_user("compliance_officer"))
    url = f"/admin/portfolio/cardholder/{holder.pk}/reveal/"
    page = client.get(f"/admin/portfolio/cardholder/{holder.pk}/change/").content.decode()
    assert 'id="reveal-form"' in page
    refused = client.post(url, {"purpose": "", "reason": "checking"}, follow=True)
    assert NATIONAL_ID not in refused.content.decode()
    assert "Choose the purpose" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="pii.reveal").exists()
    revealed = client.post(url, {"purpose": "DISPUTE", "reason": "dispute #42 identity check"})
    html = revealed.content.decode()
    assert revealed.status_code == 200
    assert NATIONAL_ID in html and NAME in html and MOBILE in html and ADDRESS in html
    assert THIRD_PHONE not in html  # an emergency contact's number: never, not even now
    event = AuditEvent.objects.get(action="pii.reveal")
    assert event.purpose == "DISPUTE" and event.object_type == "portfolio.cardholder"
    assert "national_id" in event.details["fields"]
    again = client.get(f"/admin/portfolio/cardholder/{holder.pk}/change/").content.decode()
    assert NATIONAL_ID not in again


def test_a_role_without_the_reveal_right_gets_no_form_and_cannot_reveal(role_user, seeded):
    message = OutboxMessage.objects.get(idempotency_key="out-1")
    client = logged_in(role_user("administrator"))
    page = client.get(f"/admin/channels/outboxmessage/{message.pk}/change/").content.decode()
    assert 'id="reveal-form"' not in page and 'id="personal-data"' in page
    client.post(f"/admin/channels/outboxmessage/{message.pk}/reveal/",
                {"purpose": "COLLECTION", "reason": "curious"})
    assert not AuditEvent.objects.filter(action="pii.reveal").exists()
    html = client.get("/admin/channels/outboxmessage/").content.decode()
    assert MOBILE not in html


def test_personal_fields_are_never_editable_in_any_admin_form(superuser, seeded):
    """A readonly masked display, never the raw field: not even a superuser edits them."""
    from arrears.web.personal_data import PERSONAL_DATA

    client = logged_in(superuser)
    editable = []
    for model in admin.site._registry:
        data = PERSONAL_DATA.get(model._meta.label_lower)
        obj = model._default_manager.first()
        if data is None or obj is None:
            continue
        html = client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
                          f"{obj.pk}/change/").content.decode()
        html = html.split('id="personal-data"')[0]  # the reveal form has its own fields
        editable += [f"{model._meta.label_lower}.{name}" for name in data.fields
                     if f'name="{name}"' in html]
    assert editable == []
    assert Cardholder.objects.filter(name=NAME).exists()
