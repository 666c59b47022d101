"""Stored codes, words at display time: each reader sees the product in their own language,
whatever the language of whoever wrote the row (issue 11, mixed languages in the Chinese UI)."""

import importlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone, translation

from arrears.arrangements.models import ApprovalRequest
from arrears.audit.labels import ACTION_LABELS
from arrears.audit.services import audit_record
from arrears.compliance.gate.labels import RULE_TITLES as SHIPPED_TITLES
from arrears.compliance.gate.labels import rule_title
from arrears.rules.ledger import POSTING_KINDS
from arrears.workbench.labels import SEGMENT_LABELS
from arrears.workbench.models import Team
from tests.factories import make_product
from tests.web.conftest import PASSWORD
from tests.workbench.factories import make_floor

SRC = Path(__file__).resolve().parents[2] / "src" / "arrears"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _reader(language: str, username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def floor(db, role_user):
    product = make_product(currency="CNY", time_zone="Asia/Shanghai")
    users = {"collector": role_user("collector"), "team_lead": role_user("team_lead")}
    run, team, seats, accounts = make_floor(users=users, product=product)
    return users, team, accounts


def test_an_approval_reason_is_shown_in_the_readers_language(floor):
    """A plan proposed in the English UI waited in the Chinese team lead's queue with the
    English reason the proposer's page had rendered."""
    _users, _team, accounts = floor
    _reader("en", "collector").post(f"/work/accounts/{accounts[0].pk}/plan/",
                                    {"kind": "instalment", "months": 24})
    request = ApprovalRequest.objects.get()
    assert request.reason_code == "beyond_authority"
    chinese = _reader("zh-hans", "team_lead").get("/work/team/").text
    row = chinese[chinese.index(f'data-approval="{request.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "超出提议人的权限" in row and "Beyond the proposer" not in row
    english = _reader("en", "team_lead").get("/work/team/").text
    assert "Beyond the proposer&#x27;s authority." in english


def test_a_request_from_before_the_codes_keeps_its_words(floor):
    _users, _team, accounts = floor
    request = ApprovalRequest.objects.create(
        subject_type="waiver", subject_id=1, authority_kind="fee_waiver", account=accounts[0],
        amount_minor=100, balance_minor=100_000, reason="特殊情况，客户住院",
        requested_at=timezone.now())
    assert request.reason_text == "特殊情况，客户住院"


def test_the_migration_turns_the_words_of_older_requests_into_codes(floor):
    _users, _team, accounts = floor
    migration = importlib.import_module(
        "arrears.arrangements.migrations.0004_approval_reason_code")
    rows = {
        text: ApprovalRequest.objects.create(
            subject_type="plan", subject_id=n, authority_kind="plan_instalment",
            account=accounts[0], reason=text, requested_at=timezone.now())
        for n, text in enumerate(("超出提议人的权限。", "Personalised plans always need approval "
                                  "(CN-13).", "written by hand"))
    }
    migration.reasons_as_codes(apps, None)
    codes = {text: ApprovalRequest.objects.get(pk=row.pk).reason_code
             for text, row in rows.items()}
    assert codes == {"超出提议人的权限。": "beyond_authority",
                     "Personalised plans always need approval (CN-13).": "personalised_plan",
                     "written by hand": ""}


def test_the_audit_trail_names_each_action_and_keeps_its_code(db, role_user):
    role_user("auditor")
    audit_record(actor=None, action="outcome_record", object_type="workbench.Outcome",
                 object_id=1)
    audit_record(actor=None, action="something.new", object_type="x", object_id=2)
    html = _reader("zh-hans", "auditor").get("/audit/").text
    table = html[html.index('id="audit-events"'):]
    assert "记录催收结果" in table and '<code class="small">outcome_record</code>' in table
    assert '<code class="small">something.new</code>' in table  # an unknown code, as it is
    assert "<td>system</td>" not in table and "系统" in table


def _audit_codes_written_by_the_product() -> set[str]:
    """Every action code a service passes to the audit trail: literal codes in the source,
    and the codes built from a posting kind or a promise or plan outcome."""
    codes = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        calls = r'audit_record\((?:[^()]|\([^()]*\))*?action=("[^"]+")(?: if \w+ else ("[^"]+"))?'
        for match in re.finditer(calls, text):
            codes.update(json.loads(group) for group in match.groups() if group)
        codes.update(re.findall(r'_audit\(\s*\w+,\s*"([^"]+)"', text))
    codes.update(f"posting_{kind}" for kind in POSTING_KINDS)
    codes.update(f"promise_{status}" for status in ("kept", "partly_kept", "broken"))
    codes.update(f"plan_{status}" for status in ("completed", "breached"))
    codes.update(("waiver_propose", "settlement_propose"))
    return codes


def test_every_audit_action_the_product_writes_has_words():
    missing = sorted(_audit_codes_written_by_the_product() - set(ACTION_LABELS))
    assert not missing, missing


def test_the_demo_teams_read_in_the_readers_language_and_a_banks_team_as_entered(floor):
    _users, team, _accounts = floor
    Team.objects.filter(pk=team.pk).update(code="demo-early-calls")
    own = Team.objects.create(name="催收二组", channel="call")
    html = _reader("en", "team_lead").get("/work/team/").text
    assert "Early-stage calls M1–M2" in html
    chinese = _reader("zh-hans", "team_lead").get("/decisions/").text
    assert "早期电话催收 M1–M2" in chinese and "Early-stage" not in chinese
    with translation.override("en"):
        assert str(own) == "催收二组"


def test_segments_read_in_the_readers_language(floor):
    _users, _team, accounts = floor
    from arrears.batch.models import Decision

    Decision.objects.filter(account=accounts[0]).update(segment="M1-high-risk-large")
    html = _reader("zh-hans", "team_lead").get(f"/work/accounts/{accounts[0].pk}/").text
    decision = html[html.index('id="decision"'):]
    decision = decision[:decision.index("</section>")]
    assert 'data-code="M1-high-risk-large"' in decision
    assert "M1 高风险，大额" in decision and "high-risk" not in decision.split("data-code")[0]


def test_every_segment_of_the_shipped_strategy_has_words():
    strategy = json.loads((SRC / "strategy" / "default_strategy.json").read_text("utf-8"))
    segments = {json.loads(rule["out-segment"]) for node in strategy["nodes"]
                for rule in node.get("content", {}).get("rules", [])}
    assert segments == set(SEGMENT_LABELS)


def test_every_shipped_rule_title_is_translated():
    titles = {rule["title"] for path in (SRC / "compliance" / "packs").glob("*.json")
              if path.name != "words.json"
              for rule in json.loads(path.read_text("utf-8"))["rules"]}
    assert titles <= set(SHIPPED_TITLES)
    with translation.override("zh-hans"):
        untranslated = [title for title in titles if rule_title(title) == title]
    assert not untranslated, untranslated
    with translation.override("zh-hans"):
        assert rule_title("A rule a bank wrote itself") == "A rule a bank wrote itself"
