import csv
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from arrears.channels.adapters import adapter_for
from arrears.channels.models import OutboxMessage
from arrears.channels.worker import outbox_send
from arrears.compliance.services import hold_place
from arrears.dialer.models import CallResult, CallTask, SkipTraceTask
from arrears.dialer.services import (
    DialerError,
    ResultsImportError,
    call_results_import,
    call_task_create,
    call_tasks_export,
)
from tests.dialer.conftest import SHANGHAI, local
from tests.factories import make_account

# Tomorrow 10:00 in Shanghai: after any hold placed during the test, inside calling hours.
MORNING = (timezone.now().astimezone(SHANGHAI) + timedelta(days=1)).replace(
    hour=10, minute=0, second=0, microsecond=0
)


def read_csv(path):
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_call_channel_queues_one_task_per_outbox_message(debtor):
    message = OutboxMessage.objects.create(
        idempotency_key="run:3:1:call", account=debtor, channel="call", template_code="script-a",
        extra={"priority": 10},
    )
    first = adapter_for("call").send(message)
    again = adapter_for("call").send(message)

    task = CallTask.objects.get()
    assert first.status == "sent" and first.provider_id == again.provider_id == f"call:{task.pk}"
    assert task.phone == "+8613812345678"
    assert (task.priority, task.script_code, task.status) == (10, "script-a", "queued")


def test_an_account_without_a_phone_gets_no_call_task(db, product):
    with pytest.raises(DialerError, match="no phone number"):
        call_task_create(make_account(product=product))


def test_only_calls_the_gate_allows_are_exported(debtor, product, tmp_path):
    allowed = call_task_create(debtor, due_from=MORNING - timedelta(hours=1), script_code="s1")
    held_account = make_account(product=product, cardholder=debtor.cardholder)
    held = call_task_create(held_account, contact_point=allowed.contact_point,
                            due_from=MORNING - timedelta(hours=1))
    hold_place(held_account, "cease_contact")
    out = tmp_path / "calls.csv"

    report = call_tasks_export(out, now=MORNING)

    rows = read_csv(out)
    assert [int(row["task_id"]) for row in rows] == [allowed.pk]
    assert rows[0]["phone"] == "+8613812345678"
    assert rows[0]["window_start"] == MORNING.isoformat()
    assert rows[0]["window_end"] == MORNING.replace(hour=21).isoformat()
    assert rows[0]["script"] == "s1"
    assert (report.exported, report.blocked) == (1, 1)
    allowed.refresh_from_db(), held.refresh_from_db()
    assert allowed.status == "exported" and allowed.gate_verdict == "allow"
    assert allowed.gate_check_id is not None
    assert held.status == "blocked" and held.gate_rule_ids


def test_a_call_asked_for_at_night_waits_for_the_morning(debtor, tmp_path):
    task = call_task_create(debtor, due_from=local(2026, 11, 23, 20, 0))
    out = tmp_path / "calls.csv"

    report = call_tasks_export(out, now=local(2026, 11, 23, 23, 30))

    assert read_csv(out) == [] and report.delayed == 1
    task.refresh_from_db()
    assert task.status == "queued"
    assert task.not_before == local(2026, 11, 24, 8, 0)
    call_tasks_export(out, now=local(2026, 11, 24, 7, 0))
    assert read_csv(out) == []  # not before 08:00: not even asked again


@pytest.fixture
def exported(debtor, tmp_path):
    task = call_task_create(debtor, due_from=MORNING - timedelta(hours=1))
    call_tasks_export(tmp_path / "calls.csv", now=MORNING)
    return task


def results_file(tmp_path, rows, name="results.csv"):
    path = tmp_path / name
    lines = ["task_id,started_at,result,duration_seconds,recording_ref,agent", *rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_results_go_to_the_contact_ledger_once_however_often_imported(exported, tmp_path):
    path = results_file(tmp_path, [
        f"{exported.pk},2026-11-23T10:05:00+08:00,no_answer,0,,agent7",
        f"{exported.pk},2026-11-23T11:40:00+08:00,right_party,184,rec/2026/11/23/abc.wav,agent7",
    ])

    first = call_results_import(path)
    again = call_results_import(path)

    assert (first.imported, first.already) == (2, 0)
    assert (again.imported, again.already) == (0, 2)
    results = list(CallResult.objects.order_by("started_at"))
    assert [r.result for r in results] == ["no_answer", "right_party"]
    assert results[1].recording_ref == "rec/2026/11/23/abc.wav"
    assert all(r.contact_attempt_id for r in results)
    exported.refresh_from_db()
    assert exported.status == "done" and exported.last_result == "right_party"


def test_a_wrong_number_opens_a_skip_trace_task(exported, tmp_path):
    call_results_import(results_file(tmp_path, [
        f"{exported.pk},2026-11-23T10:05:00+08:00,wrong_number,12,,agent7"]))

    trace = SkipTraceTask.objects.get()
    assert (trace.reason, trace.contact_point_id) == ("wrong_number", exported.contact_point_id)


def test_bad_rows_are_listed_by_line_and_nothing_is_imported(exported, tmp_path):
    path = results_file(tmp_path, [
        f"{exported.pk},2026-11-23T10:05:00+08:00,no_answer,0,,a",
        "999999,2026-11-23T10:06:00+08:00,busy,0,,a",
        f"{exported.pk},2026-11-23 10:07,busy,0,,a",
        f"{exported.pk},2026-11-23T10:08:00+08:00,hung_up,0,,a",
        f"{exported.pk},2026-11-23T10:09:00+08:00,busy,-3,,a",
    ])

    with pytest.raises(ResultsImportError) as caught:
        call_results_import(path)

    errors = dict(caught.value.errors)
    assert sorted(errors) == [3, 4, 5, 6]
    assert "no call task with id '999999'" in errors[3]
    assert "with an offset" in errors[4]
    assert "'hung_up' is not one of" in errors[5]
    assert "whole number" in errors[6]
    assert not CallResult.objects.exists()

    report = call_results_import(path, skip_bad_rows=True)
    assert report.imported == 1 and len(report.skipped) == 4


def test_dialer_commands(exported, tmp_path, capsys):
    call_command("dialer", "export", str(tmp_path / "again.csv"), "--no-progress")
    assert "Exported 0 calls" in capsys.readouterr().out

    good = results_file(tmp_path, [f"{exported.pk},2026-11-23T10:05:00+08:00,busy,0,,a"])
    call_command("dialer", "results", str(good))
    assert "Imported 1 call results" in capsys.readouterr().out

    bad = results_file(tmp_path, ["x,y,z,,,"], name="bad.csv")
    with pytest.raises(CommandError, match="line 2: no call task"):
        call_command("dialer", "results", str(bad))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("dialer", "results", str(tmp_path / "missing.csv"))


@pytest.mark.parametrize("task_made", [True, False])
def test_a_call_left_sending_by_a_dead_worker_is_settled_once(debtor, task_made):
    # The worker died while handing the message to the call adapter: after the lease the
    # next worker asks the adapter whether the task exists, so the message is neither left
    # "unknown" nor planned twice.
    message = OutboxMessage.objects.create(
        idempotency_key="decision:2026-10-10:1:call", account=debtor, channel="call",
        template_code="script-a")
    if task_made:
        adapter_for("call").send(message)
    before = timezone.now() - timedelta(minutes=30)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="sending", gateway="dialer_file", gateway_called_at=before,
        claimed_until=before)

    assert adapter_for("call").lookup(message) is None or task_made
    outbox_send(now=timezone.now())

    message.refresh_from_db()
    task = CallTask.objects.get()
    assert message.status == "sent" and message.provider_id == f"call:{task.pk}"
