"""Forms of the workbench: outcomes, notes, the plan calculator, waivers, re-assignment and
the collectors of a field visit.

Amounts are typed in major units ("1200.50") and stored in the currency's minor units.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.dialer.services import MIN_VISIT_COLLECTORS
from arrears.rules.aging import BUCKET_CODES
from arrears.rules.money import AmountError, parse_amount
from arrears.workbench.models import OutcomeKind


class AmountField(forms.CharField):
    """An amount in major units; ``clean`` gives minor units of the form's currency."""

    def __init__(self, *args, currency: str = "CNY", **kwargs):
        self.currency = currency
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return parse_amount(value, self.currency)
        except AmountError as error:
            raise forms.ValidationError(str(error)) from None


class CurrencyForm(forms.Form):
    def __init__(self, *args, currency: str = "CNY", **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, AmountField):
                field.currency = currency


class OutcomeForm(CurrencyForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OutcomeKind.choices)
    # Row ids: positive and within a database's 64-bit integer (a larger one was HTTP 500).
    contact_point = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1,
                                       max_value=2**63 - 1)
    third_party = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1,
                                     max_value=2**63 - 1)
    check_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1,
                                  max_value=2**63 - 1)
    amount = AmountField(label=_("Amount promised"), required=False)
    due_date = forms.DateField(
        label=_("Promised by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_action_on = forms.DateField(
        label=_("Next action"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == OutcomeKind.PROMISE:
            if not data.get("amount"):
                self.add_error("amount", _("A promise to pay needs an amount."))
            if not data.get("due_date"):
                self.add_error("due_date", _("A promise to pay needs a date."))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


PLAN_KINDS = (
    ("extension", _("extension")),
    ("instalment", _("instalments")),
    ("personalised", _("personalised instalments")),
)


class PlanForm(CurrencyForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=PLAN_KINDS)
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=60, initial=12)
    waive_interest = forms.BooleanField(label=_("Stop interest"), required=False)
    down_payment = AmountField(label=_("Down payment"), required=False)


WAIVER_KINDS = (("fee", _("fees")), ("interest", _("interest")))


class WaiverForm(CurrencyForm):
    kind = forms.ChoiceField(label=_("Waive"), choices=WAIVER_KINDS)
    amount = AmountField(label=_("Amount"))
    note = forms.CharField(label=_("Reason"), max_length=500)


class ReassignForm(forms.Form):
    """Move one account (``account``) or every entry matching the filters to ``to_collector``."""

    to_collector = forms.IntegerField(label=_("To collector"))
    account = forms.IntegerField(required=False, widget=forms.HiddenInput)
    bucket = forms.ChoiceField(
        label=_("Bucket"), required=False, choices=[("", _("any"))] + [(b, b) for b in BUCKET_CODES]
    )
    from_collector = forms.CharField(label=_("From collector"), required=False)
    segment = forms.CharField(label=_("Segment"), required=False, max_length=60)


class ApprovalForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=(("1", _("Approve")), ("0", _("Reject"))), coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class VisitStaffForm(forms.Form):
    """The collectors a team lead names for a field visit (two at least, CN-17) and its time,
    typed in the debtor's local time."""

    collectors = forms.TypedMultipleChoiceField(
        label=_("Collectors"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    scheduled_for = forms.CharField(
        label=_("Time of the visit"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, candidates, zone: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["collectors"].choices = [
            (user.pk, user.get_full_name() or user.get_username()) for user in candidates
        ]

    def clean_collectors(self):
        chosen = self.cleaned_data["collectors"]
        if len(set(chosen)) < MIN_VISIT_COLLECTORS:
            raise forms.ValidationError(
                _("Name at least %(n)d collectors for a field visit (CN-17).")
                % {"n": MIN_VISIT_COLLECTORS}
            )
        return chosen

    def clean_scheduled_for(self):
        text = self.cleaned_data["scheduled_for"].strip()
        for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"):
            try:
                moment = datetime.strptime(text, pattern).replace(tzinfo=self.zone)
                break
            except ValueError:
                continue
        else:
            raise forms.ValidationError(_("Enter the date and time of the visit."))
        if moment < timezone.now():
            raise forms.ValidationError(_("A visit cannot be planned in the past."))
        return moment
