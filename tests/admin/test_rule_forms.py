"""Finding 5: the rule-pack admin showed raw JSON and English rule titles. Each parameter is a
typed, labelled field with help in both languages, validated with clear errors; a save still
makes a new audited pack version; the authority matrix is entered in money, not minor units."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from arrears.arrangements.models import AuthorityLimit
from arrears.audit.models import AuditEvent
from arrears.compliance.models import RulePack, RuleSetting
from arrears.compliance.rule_labels import PARAMETERS, RULE_TITLES
from arrears.compliance.selectors import pack_cache_clear
from tests.admin.conftest import logged_in
from tests.admin.forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(role_user):
    pack_cache_clear()
    return role_user("compliance_officer")


def _live(rule_id: str) -> RuleSetting:
    return RuleSetting.objects.get(pack__profile="CN-BANK", pack__active=True, rule_id=rule_id)


def _url(setting: RuleSetting) -> str:
    return f"/admin/compliance/rulesetting/{setting.pk}/change/"


def _post(client, setting, **changes):
    data = form_data(client.get(_url(setting)).context["adminform"].form)
    data.update(note="policy", **changes)
    return client.post(_url(setting), data)


def test_the_rule_page_is_a_form_with_labels_and_no_json(officer):
    html = logged_in(officer).get(_url(_live("CN-05"))).content.decode()
    assert 'name="params"' not in html and "{&quot;" not in html
    assert 'name="param_start"' in html and 'type="time"' in html
    assert "Window opens" in html and "Earliest local time of the debtor" in html
    assert "No collection 22:00–08:00 debtor-local time without consent" in html
    caps = logged_in(officer).get(_url(_live("CN-19"))).content.decode()
    assert 'name="param_caps__sms__soft"' in caps and "soft cap" in caps


def test_the_rule_page_speaks_chinese(officer):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(officer)
    html = client.get(_url(_live("CN-05"))).content.decode()
    assert "未经同意，债务人当地时间 22:00–08:00 不得催收" in html
    assert "允许联系的开始时间" in html
    pack = client.get(f"/admin/compliance/rulepack/{_live('CN-05').pack_id}/change/")
    assert "未经同意，债务人当地时间 22:00–08:00 不得催收" in pack.content.decode()


def test_a_window_that_closes_before_it_opens_is_refused_clearly(officer):
    setting = _live("CN-05")
    response = _post(logged_in(officer), setting, param_start="22:00", param_end="08:00")
    assert response.status_code == 200
    assert "The window closes at 08:00, before it opens at 22:00." in response.content.decode()
    assert RulePack.objects.filter(profile="CN-BANK").count() == 1


def test_a_negative_cap_is_refused_clearly(officer):
    response = _post(logged_in(officer), _live("CN-19"), param_caps__sms__soft="-1")
    assert response.status_code == 200
    assert "A cap cannot be negative." in response.content.decode()
    response = _post(logged_in(officer), _live("CN-19"), param_caps__sms__soft="5",
                     param_caps__sms__hard="4")
    assert "The hard cap cannot be below the soft cap." in response.content.decode()
    response = _post(logged_in(officer), _live("CN-06"), param_max="-3")
    assert "greater than or equal to 0" in response.content.decode()
    assert RulePack.objects.filter(profile="CN-BANK").count() == 1


def test_typed_fields_save_a_new_audited_version(officer):
    client = logged_in(officer)
    caps = _post(client, _live("CN-19"), param_caps__sms__soft="1", param_caps__sms__hard="2")
    assert caps.status_code == 302, caps.content.decode()[:3000]
    assert _live("CN-19").params["caps"]["sms"] == {"soft": 1, "hard": 2}
    assert _live("CN-19").params["caps"]["email"] == {"soft": 2, "hard": 3}
    lists = _post(client, _live("CN-06"), param_channels=["call"],
                  param_exempt_purposes=["reminder", "payment_handling"])
    assert lists.status_code == 302, lists.content.decode()[:3000]
    assert _live("CN-06").params["channels"] == ["call"]
    exceptions = _post(client, _live("CN-11"), param_exceptions__reminder__decision="WARN",
                       param_exceptions__reminder__channels=["sms"])
    assert exceptions.status_code == 302, exceptions.content.decode()[:3000]
    assert _live("CN-11").params["exceptions"]["reminder"] == {"decision": "WARN",
                                                               "channels": ["sms"]}
    assert RulePack.objects.get(profile="CN-BANK", active=True).version == 4
    events = AuditEvent.objects.filter(action="compliance.rule_change")
    assert events.count() == 3 and {e.actor for e in events} == {officer}


def test_every_parameter_and_title_of_the_shipped_packs_has_words():
    settings = RuleSetting.objects.all()
    assert {s.title for s in settings} <= set(RULE_TITLES)
    assert {name for s in settings for name in s.params} <= set(PARAMETERS)


def test_the_authority_matrix_is_entered_in_money(role_user):
    limit, _created = AuthorityLimit.objects.update_or_create(
        group_name="collector", kind="fee_waiver",
        defaults={"max_amount_minor": 50_000, "max_share_of_balance": None, "max_months": None})
    client = logged_in(role_user("administrator"))
    page = client.get(f"/admin/arrangements/authoritylimit/{limit.pk}/change/").content.decode()
    assert 'name="max_amount"' in page and 'value="500.00"' in page
    assert 'name="max_amount_minor"' not in page and "Collector" in page
    assert "500.00 CNY" in client.get("/admin/arrangements/authoritylimit/").content.decode()
    refused = client.post(f"/admin/arrangements/authoritylimit/{limit.pk}/change/", {
        "group_name": "collector", "kind": "fee_waiver", "max_amount": "-5",
        "max_share_of_balance": "", "max_months": ""})
    assert refused.status_code == 200
    assert "An amount cannot be negative." in refused.content.decode()


def test_an_old_pack_version_shows_its_parameters_in_words(officer):
    from arrears.compliance import services

    setting = _live("CN-06")
    services.rule_setting_change(setting, enabled=True, action="BLOCK",
                                 params=dict(setting.params, max=5), actor=officer)
    html = logged_in(officer).get(_url(setting)).content.decode()
    assert 'name="param_max"' not in html and "Daily limit: 6 per day" in html


def test_the_template_form_explains_its_fields(role_user):
    html = logged_in(role_user("administrator")).get("/admin/channels/template/add/")
    html = html.content.decode()
    assert "{{ minimum_due }}" in html and "minimum payment due" in html
    assert "Short name that strategies and the outbox use" in html


def test_a_user_without_the_right_cannot_change_a_rule(db):
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_rulesetting"))
    setting = _live("CN-05")
    response = logged_in(viewer).post(_url(setting), {"enabled": "on", "action": "BLOCK",
                                                      "param_start": "09:00",
                                                      "param_end": "20:00"})
    assert response.status_code == 403
    assert RulePack.objects.filter(profile="CN-BANK").count() == 1
