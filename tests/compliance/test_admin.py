"""A compliance officer changes a rule parameter in the admin: a new pack version goes live at
once, the old one is kept, the change is audited, and bad parameters are refused."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from arrears.audit.models import AuditEvent
from arrears.compliance import services
from arrears.compliance.models import RulePack, RuleSetting
from arrears.compliance.selectors import pack_cache_clear
from arrears.portfolio.models import ContactPoint
from tests.factories import make_account

pytestmark = pytest.mark.django_db
EVENING = datetime(2025, 6, 2, 13, 30, tzinfo=UTC)  # 21:30 in Shanghai


@pytest.fixture
def officer(client):
    """A compliance officer: the role whose admin area and permissions edit rule packs."""
    from arrears.users.services import role_groups_ensure, user_create_for_role

    role_groups_ensure()
    user = user_create_for_role(username="officer", role="compliance_officer", password="x")
    client.force_login(user)
    return user


def _post(client, setting, **changes):
    """The rule's form as the page shows it, with ``changes`` typed into its fields."""
    from tests.admin.forms import form_data

    url = f"/admin/compliance/rulesetting/{setting.pk}/change/"
    data = form_data(client.get(url).context["adminform"].form)
    data.update(note="policy tightened", **changes)
    return client.post(url, data)


def test_changing_the_evening_cut_off_delays_the_next_call(client, officer):
    pack_cache_clear()
    account = make_account()
    ContactPoint.objects.create(external_id="addr", cardholder=account.cardholder,
                                kind="billing_address", value="上海市黄浦区")
    assert services.gate_ask(account, channel="call", at=EVENING).verdict == "allow"
    setting = RuleSetting.objects.get(pack__profile="CN-BANK", pack__active=True, rule_id="CN-05")
    response = _post(client, setting, param_end="21:00")
    assert response.status_code == 302, response.content.decode()[:2000]
    answer = services.gate_ask(account, channel="call", at=EVENING)
    assert answer.verdict == "delay" and answer.rule_ids == ("CN-05",)
    assert answer.pack_version == 2
    packs = RulePack.objects.filter(profile="CN-BANK").order_by("version")
    assert [(p.version, p.active) for p in packs] == [(1, False), (2, True)]
    assert packs[0].settings.get(rule_id="CN-05").params["end"] == "22:00"
    event = AuditEvent.objects.get(action="compliance.rule_change")
    assert event.actor == officer
    assert event.details["changes"]["params"]["old"]["end"] == "22:00"
    assert event.details["changes"]["params"]["new"]["end"] == "21:00"


def test_a_uk_breathing_space_rule_changed_in_its_form_blocks_a_placement(client, officer,
                                                                          settings):
    """UK-16's action types are ticked boxes: moving agency placement from 'flagged' to
    'refused' makes UK-FCA version 2, audited, and the gate answers with it at once."""
    settings.ARREARS_COMPLIANCE_PROFILE = "UK-FCA"
    pack_cache_clear()
    account = make_account()
    until = timezone.now() + timedelta(days=30)
    services.hold_place(account, "breathing_space", until=until)
    before = services.gate_ask(account, action="agency_assign")
    assert before.verdict == "allow" and before.decision == "WARN"
    assert before.rule_ids == ("UK-16",) and before.pack_version == 1
    setting = RuleSetting.objects.get(pack__profile="UK-FCA", pack__active=True, rule_id="UK-16")
    assert setting.params["warn_actions"] == ["agency_assign", "debt_sale"]
    response = _post(client, setting, param_blocked_actions=["agency_assign", "legal_referral"],
                     param_warn_actions=["debt_sale"])
    assert response.status_code == 302, response.content.decode()[:2000]
    after = services.gate_ask(account, action="agency_assign")
    assert after.verdict == "delay" and after.rule_ids == ("UK-16",)
    assert after.not_before == until and after.pack_version == 2
    live = RuleSetting.objects.get(pack__profile="UK-FCA", pack__active=True, rule_id="UK-16")
    assert live.params["blocked_actions"] == ["legal_referral", "agency_assign"]
    assert live.params["warn_actions"] == ["debt_sale"]
    event = AuditEvent.objects.get(action="compliance.rule_change")
    assert event.actor == officer and event.details["profile"] == "UK-FCA"
    assert event.details["changes"]["params"]["old"]["warn_actions"] == ["agency_assign",
                                                                         "debt_sale"]


def test_lowering_the_criminal_referral_threshold_in_money_changes_the_answer(client, officer):
    """CN-20's threshold is entered in yuan; the gate compares it in fen with the account's."""
    pack_cache_clear()
    account = make_account()
    referral = {"referral_kind": "criminal", "principal_outstanding_minor": 3_000_000,
                "effective_collections": ["2025-01-01T10:00:00+08:00",
                                          "2025-02-05T10:00:00+08:00"]}
    before = services.gate_ask(account, action="legal_referral", at=EVENING, facts=referral)
    assert before.decision == "BLOCK" and "CN-20" in before.rule_ids
    setting = RuleSetting.objects.get(pack__profile="CN-BANK", pack__active=True, rule_id="CN-20")
    response = _post(client, setting, param_min_principal_minor="30000.00")
    assert response.status_code == 302, response.content.decode()[:2000]
    after = services.gate_ask(account, action="legal_referral", at=EVENING, facts=referral)
    assert (after.verdict, after.decision, after.pack_version) == ("block", "REQUIRE_APPROVAL", 2)
    assert after.rule_ids == ("CN-20",)
    event = AuditEvent.objects.get(action="compliance.rule_change")
    assert event.details["changes"]["params"]["new"]["min_principal_minor"] == 3_000_000


def test_a_bad_parameter_is_refused_with_a_clear_message(client, officer):
    setting = RuleSetting.objects.get(pack__profile="CN-BANK", pack__active=True, rule_id="CN-05")
    response = _post(client, setting, param_end="25:00")
    assert response.status_code == 200
    assert "Enter a valid time." in response.content.decode()
    assert RulePack.objects.filter(profile="CN-BANK").count() == 1


def test_an_old_version_cannot_be_changed(client, officer):
    setting = RuleSetting.objects.get(pack__profile="CN-BANK", pack__active=True, rule_id="CN-06")
    services.rule_setting_change(setting, enabled=True, action="BLOCK",
                                 params=dict(setting.params, max=5), actor=officer)
    response = client.get(f"/admin/compliance/rulesetting/{setting.pk}/change/")
    assert b'name="param_max"' not in response.content


def test_contact_ledger_is_read_only_in_the_admin(client, officer):
    officer.is_superuser = True
    officer.save()
    assert client.get("/admin/compliance/contactattempt/add/").status_code == 403
    assert client.get("/admin/compliance/gatecheck/").status_code == 200
