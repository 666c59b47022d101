"""Finding 2: changes made in the admin were not in the audit trail. Every registered admin is
audited; each kind of change (users and roles, groups, word lists, authority limits, products,
templates, rule settings, API tokens, collectors, list-page edits, bulk deletes) is recorded
with who, what, before and after, in the hash chain."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from arrears.arrangements.models import AuthorityLimit
from arrears.audit.models import AuditEvent
from arrears.audit.services import audit_verify
from arrears.channels.models import Template
from arrears.compliance.models import ForbiddenWord
from arrears.users.models import ApiToken
from arrears.web.admin_audit import AuditedAdminMixin
from arrears.workbench.models import Collector, Team
from tests.admin.conftest import logged_in
from tests.factories import make_product

pytestmark = pytest.mark.django_db

# The hooks through which the admin saves and deletes; the audit mixin must see each of them.
AUDITED_HOOKS = ("get_object", "save_form", "log_addition", "log_change", "delete_model",
                 "delete_queryset", "save_formset")


def _events(action: str, object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_type=object_type)
                .order_by("sequence"))


def test_every_registered_admin_is_audited():
    unaudited = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if not isinstance(model_admin, AuditedAdminMixin):
            unaudited.append(label)
            continue
        for hook in AUDITED_HOOKS:
            # The first class in the MRO that defines the hook must be the mixin or a class
            # before it that calls super() — i.e. the mixin comes first.
            owner = next(cls for cls in type(model_admin).__mro__ if hook in cls.__dict__)
            if not issubclass(owner, AuditedAdminMixin):
                unaudited.append(f"{label}.{hook}")
    assert unaudited == []
    assert len(admin.site._registry) >= 35


def test_a_forbidden_word_added_changed_and_deleted_is_audited(role_user):
    client = logged_in(role_user("compliance_officer"))
    response = client.post("/admin/compliance/forbiddenword/add/", {
        "language": "zh-hans", "word": "让你坐牢", "category": "threat", "rule_id": "CN-04",
        "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    word = ForbiddenWord.objects.get(word="让你坐牢")
    added = _events("admin.add", "compliance.forbiddenword")[-1]
    assert added.actor.username == "compliance_officer"
    assert added.details["values"]["word"] == "让你坐牢"
    client.post(f"/admin/compliance/forbiddenword/{word.pk}/change/", {
        "language": "zh-hans", "word": "让你坐牢", "category": "legal_threat", "rule_id": "CN-04"})
    changed = _events("admin.change", "compliance.forbiddenword")[-1]
    assert changed.details["changes"] == {
        "category": {"old": "threat", "new": "legal_threat"},
        "active": {"old": True, "new": False}}


def test_the_bulk_delete_action_records_each_object(superuser):
    words = [ForbiddenWord.objects.create(language="en", word=w, category="threat",
                                          rule_id="US-CONTENT") for w in ("jailtime-x", "arrest-x")]
    response = logged_in(superuser).post("/admin/compliance/forbiddenword/", {
        "action": "delete_selected", "_selected_action": [str(w.pk) for w in words],
        "post": "yes"})
    assert response.status_code == 302
    assert not ForbiddenWord.objects.filter(word__in=["jailtime-x", "arrest-x"]).exists()
    deleted = _events("admin.delete", "compliance.forbiddenword")
    assert sorted(e.details["values"]["word"] for e in deleted) == ["arrest-x", "jailtime-x"]
    assert sorted(e.object_id for e in deleted) == sorted(str(w.pk) for w in words)


def test_an_authority_limit_change_keeps_before_and_after(role_user):
    limit, _created = AuthorityLimit.objects.update_or_create(
        group_name="collector", kind="fee_waiver",
        defaults={"max_amount_minor": 50_000, "max_share_of_balance": None, "max_months": None})
    client = logged_in(role_user("administrator"))
    response = client.post(f"/admin/arrangements/authoritylimit/{limit.pk}/change/", {
        "group_name": "collector", "kind": "fee_waiver", "max_amount": "800.00",
        "max_share_of_balance": "", "max_months": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    event = _events("admin.change", "arrangements.authoritylimit")[-1]
    assert event.details["changes"]["max_amount_minor"] == {"old": 50_000, "new": 80_000}


def test_a_product_change_is_audited(role_user):
    product = make_product(code="STD", name="Standard card")
    client = logged_in(role_user("administrator"))
    page = client.get(f"/admin/portfolio/product/{product.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["name"] = "Standard card 2025"
    response = client.post(f"/admin/portfolio/product/{product.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = _events("admin.change", "portfolio.product")[-1]
    assert event.details["changes"] == {"name": {"old": "Standard card",
                                                 "new": "Standard card 2025"}}


def test_a_template_edit_makes_a_version_and_records_old_and_new_text(role_user):
    client = logged_in(role_user("administrator"))
    data = {"code": "reminder", "channel": "sms", "language": "en",
            "subject": "", "body": "Your payment of {{ minimum_due }} is due on {{ due_date }}.",
            "note": "first"}
    assert client.post("/admin/channels/template/add/", data).status_code == 302
    first = Template.objects.get(code="reminder", language="en")
    data.update(body="Please pay {{ minimum_due }} by {{ due_date }}.", note="shorter")
    response = client.post(f"/admin/channels/template/{first.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = _events("admin.change", "channels.template")[-1]
    assert event.details["changes"]["body"]["old"].startswith("Your payment")
    assert event.details["changes"]["body"]["new"].startswith("Please pay")
    assert event.details["changes"]["version"] == {"old": 1, "new": 2}


def test_group_permission_changes_by_a_superuser_are_audited(superuser):
    group = Group.objects.create(name="print_desk")
    wanted = Permission.objects.get(codename="view_letter")
    response = logged_in(superuser).post(f"/admin/auth/group/{group.pk}/change/",
                                         {"name": "print_desk", "permissions": [wanted.pk]})
    assert response.status_code == 302
    event = _events("admin.change", "auth.group")[-1]
    assert event.details["changes"]["permissions"] == {"old": [],
                                                       "new": ["letters.view_letter"]}


def test_api_tokens_created_and_revoked_in_the_admin_are_audited(role_user):
    system = role_user("collector", username="card-system")
    client = logged_in(role_user("administrator"))
    response = client.post("/admin/users/apitoken/add/", {"user": system.pk,
                                                          "name": "card system"})
    assert response.status_code == 302, response.content.decode()[:3000]
    token = ApiToken.objects.get(name="card system")
    created = AuditEvent.objects.get(action="api_token_create", object_id=str(token.pk))
    assert created.actor.username == "administrator"
    client.post(f"/admin/users/apitoken/{token.pk}/change/", {"revoked": "on"})
    token.refresh_from_db()
    assert token.revoked
    revoked = AuditEvent.objects.get(action="api_token_revoke", object_id=str(token.pk))
    assert revoked.actor.username == "administrator"
    assert token.token_hash not in str(created.details) + str(revoked.details)


def test_an_administrator_cannot_issue_a_token_acting_as_a_superuser(role_user, superuser):
    client = logged_in(role_user("administrator"))
    response = client.post("/admin/users/apitoken/add/", {"user": superuser.pk,
                                                          "name": "backdoor"})
    assert response.status_code == 200  # the form refuses the choice
    assert not ApiToken.objects.filter(name="backdoor").exists()


def test_list_page_edits_and_inline_rows_are_audited(role_user):
    team = Team.objects.create(name="M1 phones", channel="phone")
    member = role_user("collector", username="wang")
    collector = Collector.objects.create(user=member, team=team, daily_capacity=80)
    lead = role_user("team_lead")
    Collector.objects.create(user=lead, team=team)  # a team lead changes their teams' seats
    client = logged_in(lead)
    response = client.post("/admin/workbench/collector/", {
        "form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", "form-0-id": str(collector.pk),
        "form-0-daily_capacity": "120", "form-0-active": "on",
        "form-1-id": str(lead.collector_seats.get().pk), "form-1-daily_capacity": "60",
        "form-1-active": "on", "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:3000]
    event = _events("admin.change", "workbench.collector")[-1]
    assert event.details["changes"] == {"daily_capacity": {"old": 80, "new": 120}}


def test_the_chain_still_verifies_after_admin_changes(role_user):
    client = logged_in(role_user("administrator"))
    client.post("/admin/auth/user/add/", {"username": "new1", "password1": "Pa55-word-xyz",
                                          "password2": "Pa55-word-xyz",
                                          "usable_password": "true"})
    event = _events("admin.add", "auth.user")[-1]
    assert event.details["values"]["password"] == "set"
    assert "pbkdf2" not in str(event.details) and "md5" not in str(event.details)
    assert audit_verify().ok


def test_unlocking_a_locked_out_login_is_audited(superuser):
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(username="collector", ip_address="10.1.1.1",
                                           user_agent="x", failures_since_start=5,
                                           get_data="", post_data="", http_accept="",
                                           path_info="/login/")
    client = logged_in(superuser)
    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    event = _events("admin.delete", "axes.accessattempt")[-1]
    assert event.details["values"]["username"] == "collector"
    assert ContentType.objects.filter(app_label="axes").exists()


def test_a_new_delinquency_policy_version_with_its_ranges_is_audited(role_user):
    from arrears.ledger.models import DelinquencyPolicy

    client = logged_in(role_user("administrator"))
    product = make_product(code="GOLD", name="Gold card")
    ranges = [("M0", 0), ("M1", 1), ("M2", 31), ("M3+", 61)]
    data = {"product": product.pk, "version": 1, "valid_from": "2027-01-01", "note": "gold",
            "ranges-TOTAL_FORMS": len(ranges), "ranges-INITIAL_FORMS": 0,
            "ranges-MIN_NUM_FORMS": 0, "ranges-MAX_NUM_FORMS": 1000}
    for n, (code, days) in enumerate(ranges):
        data[f"ranges-{n}-code"], data[f"ranges-{n}-min_days"] = code, days
    bad = dict(data, **{"ranges-0-min_days": 5})
    response = client.post("/admin/ledger/delinquencypolicy/add/", bad)
    assert response.status_code == 200 and not DelinquencyPolicy.objects.filter(
        product=product).exists()
    response = client.post("/admin/ledger/delinquencypolicy/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    policy = DelinquencyPolicy.objects.get(product=product)
    assert [(r.code, r.min_days) for r in policy.ranges.all()] == ranges
    assert _events("admin.add", "ledger.delinquencypolicy")[-1].object_id == str(policy.pk)
    assert len(_events("admin.add", "ledger.delinquencyrange")) == 4
