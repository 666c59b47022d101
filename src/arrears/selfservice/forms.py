"""The portal's forms: plain fields, big inputs, errors that say which field and why."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StartForm(forms.Form):
    last4 = forms.CharField(
        label=_("Last four digits of your card"), min_length=4, max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                      "pattern": "[0-9]{4}"}))
    mobile = forms.CharField(
        label=_("Your registered mobile number"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    def clean_last4(self) -> str:
        value = self.cleaned_data["last4"].strip()
        if not value.isdigit():
            raise forms.ValidationError(_("Enter the four digits printed last on your card."))
        return value


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"), max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class PayForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount to pay"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


class PromiseForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount you will pay"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    due_date = forms.DateField(
        label=_("Date you will pay by"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")})
