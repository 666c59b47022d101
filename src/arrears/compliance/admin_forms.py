"""The rule form of the compliance admin: each parameter of a rule as a typed field with its
label, unit and help (the gate's catalogue, ``gate.labels``), validated before the gate's own
check, so an officer never edits JSON.

``rule_setting_form_for(setting)`` builds the form class of one rule: the fields are that
rule's parameters, named ``param_<name>`` (caps and exceptions are spread over several fields:
``param_caps__sms__soft``, ``param_exceptions__reminder__decision``). Every field cleans to the
value the pack stores (a time as "HH:MM", an amount in minor units, codes in the rule's own
order); ``clean`` puts the parameters back together as ``cleaned_data["params"]`` for
``rule_setting_change``.
"""

from datetime import time
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from arrears.compliance import gate
from arrears.compliance.gate.labels import (
    CHANNEL_CHOICES,
    DECISION_CHOICES,
    PURPOSE_CHOICES,
    Parameter,
    decision_label,
    parameter,
)
from arrears.compliance.models import RuleSetting
from arrears.rules.money import MAX_DIGITS, exponent_for, format_amount, parse_amount, to_decimal

PREFIX = "param_"
CLOCK_FORMAT = "%H:%M"
CAP_NEGATIVE = _("A cap cannot be negative.")
# Channels whose daily volume is capped: messages (calls have their own frequency rules).
CAPPED_CHANNELS = ("sms", "email", "im")
RULE_ID = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$",
                         _("A rule id is letters, digits and hyphens, e.g. CN-05."))


def _currency() -> str:
    """Amounts in rules are compared with the account's; entered in the product currency."""
    return settings.ARREARS_DEFAULT_CURRENCY


def _help(spec: Parameter, unit=None) -> str:
    """Help text with the unit, e.g. "Counted per local day of the debtor. Unit: per day."."""
    unit = unit or spec.unit
    if unit:
        return _("%(help)s Unit: %(unit)s.") % {"help": spec.help, "unit": unit}
    return spec.help


def _choices_with(choices, current) -> list:
    """The catalogue's choices plus any value already stored that it does not know."""
    known = {code for code, _label in choices}
    return [*choices, *((value, value) for value in current if value not in known)]


class ClockField(forms.TimeField):
    """A local time, shown and entered as HH:MM and kept as the text the pack stores."""

    widget = forms.TimeInput(format=CLOCK_FORMAT, attrs={"type": "time"})

    def __init__(self, **kwargs):
        super().__init__(input_formats=[CLOCK_FORMAT], **kwargs)

    def clean(self, value):
        moment = super().clean(value)
        return moment.strftime(CLOCK_FORMAT) if moment else moment


class AmountField(forms.DecimalField):
    """Money entered in the currency (50000.00) and kept in minor units (5000000)."""

    def __init__(self, *, currency: str, **kwargs):
        self.currency = currency
        super().__init__(min_value=Decimal(0), max_digits=MAX_DIGITS,
                         decimal_places=exponent_for(currency),
                         error_messages={"min_value": _("An amount cannot be negative.")},
                         **kwargs)

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else parse_amount(str(amount), self.currency)


class CodesField(forms.MultipleChoiceField):
    """Codes ticked from a list, kept in the order the rule had them: a browser sends ticked
    boxes in page order, and saving an unchanged rule must not make a new pack version."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, stored=(), **kwargs):
        self.stored = list(stored)
        super().__init__(required=False, initial=list(stored), **kwargs)

    def clean(self, value):
        chosen = dict.fromkeys(super().clean(value))
        return [code for code in self.stored if code in chosen] + [
            code for code in chosen if code not in self.stored]


class RuleIdsField(forms.CharField):
    """Rule ids separated by commas, kept as a list."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def clean(self, value):
        ids = [part.strip() for part in super().clean(value).split(",") if part.strip()]
        for rule_id in ids:
            RULE_ID(rule_id)
        return ids


def _stored_int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _simple_field(spec: Parameter, value) -> forms.Field:
    """The field of one parameter of a simple kind, with the stored value as its initial."""
    common = {"label": spec.label, "help_text": _help(spec)}
    kind = spec.kind
    if kind == "clock":
        stored = time.fromisoformat(value) if isinstance(value, str) else value
        return ClockField(initial=stored, **common)
    if kind in ("count", "positive"):
        return forms.IntegerField(min_value=1 if kind == "positive" else 0, initial=value,
                                  **common)
    if kind == "amount":
        currency, stored = _currency(), _stored_int(value)
        return AmountField(currency=currency, label=spec.label, help_text=_help(spec, currency),
                           initial=None if stored is None else to_decimal(stored, currency))
    if kind in ("decision", "hold"):
        choices = DECISION_CHOICES if kind == "decision" else spec.choices
        return forms.ChoiceField(choices=choices, initial=value, **common)
    if kind == "flag":
        return forms.BooleanField(required=False, initial=value, **common)
    if kind == "choices":
        stored = value if isinstance(value, list) else []
        return CodesField(choices=_choices_with(spec.choices, stored), stored=stored, **common)
    if kind == "rule":
        return forms.CharField(validators=[RULE_ID], initial=value, **common)
    if kind == "rules":
        return RuleIdsField(initial=value, **common)
    return forms.CharField(required=False, initial=value, **common)


def _capped_channels(value: dict) -> list[tuple[str, object]]:
    """The message channels, and any other channel the rule already caps."""
    return [(code, label) for code, label in CHANNEL_CHOICES
            if code in CAPPED_CHANNELS or code in value]


def _caps_fields(spec: Parameter, value: dict) -> dict[str, forms.Field]:
    fields = {}
    for channel, label in _capped_channels(value):
        cap = value.get(channel, {})
        for edge, edge_label in (("soft", _("soft cap")), ("hard", _("hard cap"))):
            fields[f"{PREFIX}caps__{channel}__{edge}"] = forms.IntegerField(
                label=f"{spec.label} · {label} · {edge_label}", required=False,
                initial=cap.get(edge), help_text=_help(spec) if edge == "soft" else "",
                error_messages={"min_value": CAP_NEGATIVE}, min_value=0)
    return fields


def _exception_fields(spec: Parameter, value: dict) -> dict[str, forms.Field]:
    fields, channels = {}, _("Channels")
    for purpose, label in PURPOSE_CHOICES:
        allowed = value.get(purpose, {})
        fields[f"{PREFIX}exceptions__{purpose}__decision"] = forms.ChoiceField(
            label=f"{spec.label} · {label}", required=False, initial=allowed.get("decision", ""),
            choices=[("", _("no exception")), *DECISION_CHOICES], help_text=spec.help)
        fields[f"{PREFIX}exceptions__{purpose}__channels"] = CodesField(
            label=f"{spec.label} · {label} · {channels}",
            stored=allowed.get("channels", ()), choices=CHANNEL_CHOICES,
            help_text=_("None ticked: every channel."))
    return fields


def _spec(name: str, value) -> Parameter:
    """The catalogue entry of a stored parameter; a map of another shape is shown as words."""
    spec = parameter(name)
    if spec.kind in ("caps", "exceptions") and not isinstance(value, dict):
        return Parameter("words", spec.label, spec.help)
    return spec


def parameter_fields(params: dict) -> dict[str, forms.Field]:
    """The form fields for a rule's parameters, in the order the pack lists them."""
    fields: dict[str, forms.Field] = {}
    for name, value in params.items():
        spec = _spec(name, value)
        if spec.kind == "caps":
            fields.update(_caps_fields(spec, value))
        elif spec.kind == "exceptions":
            fields.update(_exception_fields(spec, value))
        else:
            fields[PREFIX + name] = _simple_field(spec, value)
    return fields


class RuleSettingForm(forms.ModelForm):
    note = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Kept with the new pack version and the audit event."))
    action = forms.ChoiceField(label=_("Action"), choices=DECISION_CHOICES,
                               help_text=_("What the gate answers when the rule applies."))

    class Meta:
        model = RuleSetting
        fields = ("enabled", "action")

    def _caps(self, cleaned: dict) -> dict:
        caps = {}
        for channel, _label in _capped_channels(self.instance.params.get("caps", {})):
            soft = cleaned.get(f"{PREFIX}caps__{channel}__soft")
            hard = cleaned.get(f"{PREFIX}caps__{channel}__hard")
            if soft is None and hard is None:
                continue
            if soft is None or hard is None:
                self.add_error(f"{PREFIX}caps__{channel}__hard",
                               _("Give both caps, or neither."))
            elif soft > hard:
                self.add_error(f"{PREFIX}caps__{channel}__hard",
                               _("The hard cap cannot be below the soft cap."))
            else:
                caps[channel] = {"soft": soft, "hard": hard}
        return caps

    def _exceptions(self, cleaned: dict) -> dict:
        exceptions = {}
        for purpose, _label in PURPOSE_CHOICES:
            decision = cleaned.get(f"{PREFIX}exceptions__{purpose}__decision")
            channels = cleaned.get(f"{PREFIX}exceptions__{purpose}__channels") or []
            if decision:
                exceptions[purpose] = {"decision": decision, **(
                    {"channels": channels} if channels else {})}
        return exceptions

    def params_from(self, cleaned: dict) -> dict:
        params = {}
        for name, value in self.instance.params.items():
            kind = _spec(name, value).kind
            if kind == "caps":
                params[name] = self._caps(cleaned)
            elif kind == "exceptions":
                params[name] = self._exceptions(cleaned)
            elif PREFIX + name in cleaned:
                params[name] = cleaned[PREFIX + name]
        return params

    def clean(self):
        cleaned = super().clean()
        if any(name.startswith(PREFIX) for name in self.errors):
            return cleaned
        params = self.params_from(cleaned)
        start, end = params.get("start"), params.get("end")
        if isinstance(start, str) and isinstance(end, str) and start >= end:
            self.add_error(f"{PREFIX}end", _("The window closes at %(end)s, before it opens at "
                                             "%(start)s.") % {"start": start, "end": end})
        if self.errors:
            return cleaned
        problems = gate.rule_problems(self.instance.check_name, cleaned.get("action"), params)
        if problems:
            raise forms.ValidationError("; ".join(problems))
        cleaned["params"] = params
        return cleaned


def rule_setting_form_for(setting: RuleSetting | None) -> type[RuleSettingForm]:
    """The form class for one rule: ``RuleSettingForm`` with a field per parameter."""
    params = setting.params if setting is not None else {}
    return type("RuleSettingParamsForm", (RuleSettingForm,), parameter_fields(params))


def parameter_field_names(setting: RuleSetting | None) -> list[str]:
    return list(parameter_fields(setting.params if setting is not None else {}))


def params_text(params: dict) -> str:
    """A rule's parameters in words, one per line, for lists and read-only pages."""
    lines = []
    for name, value in params.items():
        spec = _spec(name, value)
        lines.append(f"{spec.label}: {_value_text(spec, value)}")
    return "\n".join(lines)


def _value_text(spec: Parameter, value) -> str:
    kind, labels = spec.kind, dict(spec.choices)
    if kind == "flag" or isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if kind == "decision":
        return decision_label(value)
    if kind == "amount" and _stored_int(value) is not None:
        return f"{format_amount(value, _currency())} {_currency()}"
    if kind == "caps":
        return "; ".join(f"{dict(CHANNEL_CHOICES).get(channel, channel)} "
                         f"{cap.get('soft')}/{cap.get('hard')}"
                         for channel, cap in value.items() if isinstance(cap, dict))
    if kind == "exceptions":
        return "; ".join(_exception_text(purpose, allowed) for purpose, allowed in value.items()
                         if isinstance(allowed, dict))
    if isinstance(value, list):
        return ", ".join(str(labels.get(item, item)) for item in value) or "—"
    text = labels.get(value, value) if isinstance(value, str) else value
    unit = f" {spec.unit}" if spec.unit and kind in ("count", "positive") else ""
    return f"{text}{unit}"


def _exception_text(purpose: str, allowed: dict) -> str:
    channels = dict(CHANNEL_CHOICES)
    words = f"{dict(PURPOSE_CHOICES).get(purpose, purpose)} → " \
            f"{decision_label(allowed.get('decision', ''))}"
    if allowed.get("channels"):
        words += " (" + ", ".join(str(channels.get(c, c)) for c in allowed["channels"]) + ")"
    return words
