from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.dialer.models import VisitTask

MET_SOMEONE = {"met_debtor", "refused", "promise"}


class VisitResultForm(forms.Form):
    """What happened on a field visit. Whoever met someone must have shown ID (CN-17)."""

    result = forms.ChoiceField(label=_("Result"), choices=VisitTask.Result.choices)
    visited_at = forms.DateTimeField(
        label=_("Visited at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    id_shown = forms.BooleanField(label=_("We showed our ID cards"), required=False)
    entry_consent = forms.BooleanField(
        label=_("The debtor agreed before we entered the home"), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        max_length=2000,
    )

    def __init__(self, *args, visit: VisitTask, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit

    def clean_visited_at(self):
        visited_at = self.cleaned_data["visited_at"]
        if visited_at > timezone.now():
            raise forms.ValidationError(_("The visit cannot be in the future."))
        if visited_at.date() < timezone.localdate(self.visit.scheduled_for):
            raise forms.ValidationError(_("The visit cannot be before the day it was scheduled."))
        return visited_at

    def clean(self):
        data = super().clean()
        if data.get("result") in MET_SOMEONE and not data.get("id_shown"):
            self.add_error("id_shown", _("Collectors must show their ID when they meet someone."))
        return data
