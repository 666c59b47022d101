from datetime import date

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arrears.recovery.models import Agency, Placement
from arrears.recovery.services import SEED_MAX

ACCOUNT_NUMBERS_MAX = 5000


class BatchForm(forms.Form):
    """A batch: the night's agency_placement decisions, or account numbers given by hand."""

    SOURCES = (("night", _("The latest night's agency placement decisions")),
               ("manual", _("The account numbers below")))
    source = forms.ChoiceField(label=_("Accounts"), choices=SOURCES, initial="night",
                               widget=forms.RadioSelect)
    accounts = forms.CharField(
        label=_("Account numbers"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    seed = forms.IntegerField(label=_("Seed"), required=False, min_value=0, max_value=SEED_MAX,
                              help_text=_("Leave empty for a new random seed; the batch "
                                          "records it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].help_text = gettext(
            "One per line or separated by commas, at most %(count)s.") % {
            "count": ACCOUNT_NUMBERS_MAX}

    def clean(self):
        data = super().clean()
        numbers = [n.strip() for n in (data.get("accounts") or "").replace(",", "\n").split()]
        numbers = [n for n in numbers if n]
        if data.get("source") == "manual" and not numbers:
            self.add_error("accounts", _("Give at least one account number."))
        if len(numbers) > ACCOUNT_NUMBERS_MAX:
            self.add_error("accounts", _("At most %(count)s account numbers at once.")
                           % {"count": ACCOUNT_NUMBERS_MAX})
        data["numbers"] = numbers
        return data


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=180, initial=30)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class RecallForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CommissionForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period ends before it starts."))
        return data


def month_so_far(today: date) -> dict:
    return {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}


def agency_choices():
    return [("", _("any"))] + [(str(a.pk), a.code) for a in Agency.objects.order_by("code")]


def status_choices():
    return Placement.Status.choices
