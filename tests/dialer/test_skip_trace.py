import pytest

from arrears.audit.models import AuditEvent
from arrears.dialer.models import SkipTraceTask
from arrears.dialer.services import skip_trace_task_create
from arrears.portfolio.models import ContactPoint


@pytest.fixture
def mobile(account):
    return ContactPoint.objects.create(
        external_id="CP-M1", cardholder=account.cardholder, kind="mobile", value="13812345678"
    )


def test_a_wrong_number_opens_one_task_however_often_it_is_reported(account, mobile):
    first = skip_trace_task_create(account, contact_point=mobile, reason="wrong_number")
    again = skip_trace_task_create(account, contact_point=mobile, reason="wrong_number")

    assert first.pk == again.pk
    assert first.status == SkipTraceTask.Status.OPEN
    assert SkipTraceTask.objects.count() == 1
    assert AuditEvent.objects.filter(action="skip_trace_task_create").count() == 1


def test_a_closed_task_does_not_swallow_a_new_report(account, mobile):
    first = skip_trace_task_create(account, contact_point=mobile, reason="disconnected")
    first.status = SkipTraceTask.Status.CLOSED
    first.save()

    second = skip_trace_task_create(account, contact_point=mobile, reason="disconnected")

    assert second.pk != first.pk


def test_an_unknown_reason_is_refused(account, mobile):
    with pytest.raises(ValueError, match="unknown skip-trace reason"):
        skip_trace_task_create(account, contact_point=mobile, reason="bored")
    assert not SkipTraceTask.objects.exists()
