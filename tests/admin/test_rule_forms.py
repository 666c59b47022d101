"""Finding 5: the rule-pack admin showed raw JSON and English rule titles. Each parameter is a
typed, labelled field with help in both languages, validated with clear errors; a save still
makes a new audited pack version; the authority matrix is entered in money, not minor units."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import translation

from arrears.arrangements.models import AuthorityLimit
from arrears.audit.models import AuditEvent
from arrears.compliance import gate
from arrears.compliance.admin_forms import rule_setting_form_for
from arrears.compliance.gate import packs
from arrears.compliance.gate.labels import (
    CHECK_LABELS,
    DECISION_LABELS,
    KINDS,
    PARAMETERS,
    RULE_TITLES,
    rule_title,
)
from arrears.compliance.models import RulePack, RuleSetting
from arrears.compliance.selectors import pack_cache_clear
from tests.admin.conftest import logged_in
from tests.admin.forms import form_data

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")


def _shown(word, language: str) -> str:
    """``word`` (a title or a lazy translation) as a page in ``language`` shows it."""
    with translation.override(language):
        return rule_title(word) if isinstance(word, str) else str(word)


def _chinese(word) -> str:
    return _shown(word, "zh-hans")


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
    assert "Contact hours in the debtor&#x27;s local time (contact_window)" in html
    caps = logged_in(officer).get(_url(_live("CN-19"))).content.decode()
    assert 'name="param_caps__sms__soft"' in caps and "soft cap" in caps


def test_the_rule_page_speaks_chinese(officer):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(officer)
    html = client.get(_url(_live("CN-05"))).content.decode()
    assert "未经同意，债务人当地时间 22:00–08:00 不得催收" in html
    assert "允许联系的开始时间" in html
    assert "债务人当地时间的联系时段" in html
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
    # CN-11 is a dispute rule since the gate read disputes per debt (packs, migration 0005);
    # exceptions by purpose belong to the hold rules, e.g. an open complaint.
    exceptions = _post(client, _live("HOLD-COMPLAINT"),
                       param_exceptions__reminder__decision="WARN",
                       param_exceptions__reminder__channels=["sms"])
    assert exceptions.status_code == 302, exceptions.content.decode()[:3000]
    assert _live("HOLD-COMPLAINT").params["exceptions"]["reminder"] == {"decision": "WARN",
                                                                        "channels": ["sms"]}
    assert RulePack.objects.get(profile="CN-BANK", active=True).version == 4
    events = AuditEvent.objects.filter(action="compliance.rule_change")
    assert events.count() == 3 and {e.actor for e in events} == {officer}


def test_the_dispute_rule_edits_its_own_parameters(officer):
    client = logged_in(officer)
    page = client.get(_url(_live("CN-11"))).content.decode()
    assert 'name="param_forms"' in page and 'name="param_hold"' in page
    assert "param_exceptions__" not in page
    response = _post(client, _live("CN-11"), param_forms=["written"],
                     param_exempt_purposes=["payment_handling", "servicing"])
    assert response.status_code == 302, response.content.decode()[:3000]
    params = _live("CN-11").params
    assert params["forms"] == ["written"] and params["hold"] == "dispute"
    assert params["exempt_purposes"] == ["payment_handling", "servicing"]


def test_saving_a_rule_unchanged_makes_no_new_version(officer):
    """A browser sends ticked boxes in page order; lists stored in another order (CN-11's
    purposes, US-06's exception channels) are the same setting, not a change."""
    client = logged_in(officer)
    us06 = RuleSetting.objects.get(pack__profile="US-FDCPA", pack__active=True, rule_id="US-06")
    assert us06.params["exceptions"]["cease_exception"]["channels"] == ["letter", "email"]
    for setting in (_live("CN-11"), _live("CN-05"), us06):
        response = _post(client, setting)
        assert response.status_code == 302, response.content.decode()[:3000]
    assert RulePack.objects.filter(profile__in=("CN-BANK", "US-FDCPA")).count() == 2
    assert not AuditEvent.objects.filter(action="compliance.rule_change").exists()


def test_every_rule_of_every_shipped_pack_comes_back_unchanged_through_its_form():
    """Each parameter of each live rule has a typed field whose value, posted back as a
    browser would, is exactly what the pack stores, and the gate accepts it."""
    settings = RuleSetting.objects.filter(pack__active=True).select_related("pack")
    assert {s.pack.profile for s in settings} == set(gate.PROFILES)
    for setting in settings:
        form_class = rule_setting_form_for(setting)
        data = form_data(form_class(instance=setting))
        form = form_class(data, instance=setting)
        assert form.is_valid(), (setting.pack.profile, setting.rule_id, form.errors)
        assert form.cleaned_data["params"] == setting.params, (setting.pack.profile,
                                                               setting.rule_id)
        for name in setting.params:
            assert PARAMETERS[name].kind != "words", name


def test_every_parameter_and_title_of_the_shipped_packs_has_words():
    rules = [rule for profile in gate.PROFILES for rule in gate.default_pack(profile).rules]
    settings = RuleSetting.objects.all()
    assert {s.title for s in settings} | {r.title for r in rules} <= set(RULE_TITLES)
    used = {name for s in settings for name in s.params} | {n for r in rules for n in r.params}
    assert used <= set(PARAMETERS)
    for name, spec in PARAMETERS.items():
        assert spec.kind in KINDS and str(spec.label) and str(spec.help), name
        if spec.kind in ("count", "positive", "clock", "rule", "rules"):
            assert str(spec.unit), name
        if spec.kind in ("choices", "hold"):
            assert spec.choices, name


def test_the_catalogue_speaks_chinese_for_every_title_parameter_and_choice():
    """Every word the rule forms show has a Chinese translation, not the English fallback."""
    words = [*RULE_TITLES, *CHECK_LABELS.values(), *DECISION_LABELS.values()]
    for spec in PARAMETERS.values():
        words += [spec.label, spec.help, *([spec.unit] if spec.unit else []),
                  *(label for _code, label in spec.choices)]
    untranslated = sorted({_shown(word, "en") for word in words
                           if _chinese(word) == _shown(word, "en") or not HAN.search(
                               _chinese(word))})
    assert untranslated == []


def test_the_forms_offer_only_values_the_gate_accepts():
    """The field of each parameter offers codes the gate's own check of the pack accepts."""
    for name, spec in PARAMETERS.items():
        valid, _kind = packs._PARAM_TYPES[name]
        codes = [code for code, _label in spec.choices]
        if spec.kind == "choices":
            assert valid(codes), name
        elif spec.kind == "hold":
            assert all(valid(code) for code in codes), name
        elif spec.kind == "decision":
            assert all(valid(code) for code in gate.DECISIONS), name
        elif spec.kind == "flag":
            assert valid(True) and valid(False), name
        elif spec.kind in ("count", "amount"):
            assert valid(0), name
        elif spec.kind == "positive":
            assert valid(1) and not valid(0), name


def test_an_amount_is_entered_in_money_and_kept_in_minor_units(officer):
    client = logged_in(officer)
    page = client.get(_url(_live("CN-20"))).content.decode()
    assert 'name="param_min_principal_minor"' in page and 'value="50000.00"' in page
    assert "Smallest unpaid principal" in page and "CNY" in page
    for wrong, message in (("-1", "An amount cannot be negative."),
                           ("12.345", "Ensure that there are no more than 2 decimal places."),
                           ("lots", "Enter a number.")):
        response = _post(client, _live("CN-20"), param_min_principal_minor=wrong)
        assert response.status_code == 200 and message in response.content.decode(), wrong
    response = _post(client, _live("CN-20"), param_min_principal_minor="20000.50")
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _live("CN-20").params["min_principal_minor"] == 2_000_050
    html = logged_in(officer).get(_url(RuleSetting.objects.get(
        pack__profile="CN-BANK", pack__version=1, rule_id="CN-20"))).content.decode()
    assert "Smallest unpaid principal: 50,000.00 CNY" in html


def test_rule_ids_are_typed_and_checked(officer):
    client = logged_in(officer)
    refused = _post(client, _live("CN-04"), param_legal_threat_rule="CN 20!")
    assert refused.status_code == 200
    assert "A rule id is letters, digits and hyphens, e.g. CN-05." in refused.content.decode()
    us09 = RuleSetting.objects.get(pack__profile="US-FDCPA", pack__active=True, rule_id="US-09")
    assert 'value="US-12, US-04"' in client.get(_url(us09)).content.decode()
    saved = _post(client, us09, param_consent_rule_ids="US-12, US-04 ,US-30")
    assert saved.status_code == 302, saved.content.decode()[:3000]
    live = RuleSetting.objects.get(pack__profile="US-FDCPA", pack__active=True, rule_id="US-09")
    assert live.params["consent_rule_ids"] == ["US-12", "US-04", "US-30"]
    bad = _post(client, live, param_consent_rule_ids="US-12, ???")
    assert "A rule id is letters, digits and hyphens" in bad.content.decode()


def test_a_uk_rule_is_a_form_in_both_languages(officer):
    uk14 = RuleSetting.objects.get(pack__profile="UK-FCA", pack__active=True, rule_id="UK-14")
    html = logged_in(officer).get(_url(uk14)).content.decode()
    assert "Statute-barred debts: no court action" in html
    assert 'name="param_regimes"' in html and 'value="SCOT_5Y"' in html
    assert 'name="param_cited_stops"' in html and "Stop demands once the customer cites" in html
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(officer)
    chinese = client.get(_url(uk14)).content.decode()
    assert str(_chinese("Statute-barred debts: no court action, no demands after the customer "
                        "cites limitation, nothing on an extinguished Scottish debt, flagged on "
                        "sale")) in chinese
    assert "Stop demands once the customer cites" not in chinese
    response = _post(logged_in(officer), uk14, param_cited_stops="",
                     param_regimes=["EWNI_6Y"])
    assert response.status_code == 302, response.content.decode()[:3000]
    live = RuleSetting.objects.get(pack__profile="UK-FCA", pack__active=True, rule_id="UK-14")
    assert live.params["cited_stops"] is False and live.params["regimes"] == ["EWNI_6Y"]
    assert live.params["extinguished_stops"] is True and live.pack.version == 2


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
