"""The rule form of the compliance admin: each parameter of a rule as a typed field with its
label, unit and help (``rule_labels``), validated before the gate's own check, so an officer
never edits JSON.

``rule_setting_form_for(setting)`` builds the form class of one rule: the fields are that
rule's parameters, named ``param_<name>`` (maps are spread over several fields:
``param_caps__sms__soft``, ``param_exceptions__reminder__decision``). ``clean`` puts the
parameters back together as ``cleaned_data["params"]`` for ``rule_setting_change``.
"""

from datetime import time

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.compliance import gate
from arrears.compliance.models import RuleSetting
from arrears.compliance.rule_labels import (
    CHANNEL_CHOICES,
    DECISION_CHOICES,
    PURPOSE_CHOICES,
    parameter,
)

PREFIX = "param_"
CLOCK_FORMAT = "%H:%M"
CAP_NEGATIVE = _("A cap cannot be negative.")
# Channels whose daily volume is capped: messages (calls have their own frequency rules).
CAPPED_CHANNELS = ("sms", "email", "im")


def _help(spec) -> str:
    """Help text with the unit, e.g. "Counted per local day of the debtor. (per day)"."""
    if spec.unit:
        return _("%(help)s Unit: %(unit)s.") % {"help": spec.help, "unit": spec.unit}
    return spec.help


def _choices_with(choices, current) -> list:
    """The catalogue's choices plus any value already stored that it does not know."""
    known = {code for code, _label in choices}
    return [*choices, *((value, value) for value in current if value not in known)]


def _simple_field(name: str, value) -> forms.Field:
    spec = parameter(name)
    common = {"label": spec.label, "help_text": _help(spec)}
    if spec.kind == "clock":
        return forms.TimeField(input_formats=[CLOCK_FORMAT],
                               widget=forms.TimeInput(format=CLOCK_FORMAT,
                                                      attrs={"type": "time"}), **common)
    if spec.kind in ("count", "positive"):
        return forms.IntegerField(min_value=1 if spec.kind == "positive" else 0, **common)
    if spec.kind == "decision":
        return forms.ChoiceField(choices=DECISION_CHOICES, **common)
    if spec.kind == "hold":
        return forms.ChoiceField(choices=spec.choices, **common)
    if spec.kind == "flag":
        return forms.BooleanField(required=False, **common)
    if spec.kind == "choices":
        return forms.MultipleChoiceField(
            choices=_choices_with(spec.choices, value or ()), required=False,
            widget=forms.CheckboxSelectMultiple, **common)
    if isinstance(value, list):
        return forms.CharField(required=False, **common)
    return forms.CharField(**common)


def _initial(name: str, value):
    spec = parameter(name)
    if spec.kind == "clock" and isinstance(value, str):
        return time.fromisoformat(value)
    if spec.kind == "words" and isinstance(value, list):
        return ", ".join(value)
    return value


def _capped_channels(value: dict) -> list[tuple[str, object]]:
    """The message channels, and any other channel the rule already caps."""
    return [(code, label) for code, label in CHANNEL_CHOICES
            if code in CAPPED_CHANNELS or code in value]


def _caps_fields(value: dict) -> dict[str, forms.Field]:
    spec = parameter("caps")
    fields = {}
    for channel, label in _capped_channels(value):
        cap = value.get(channel, {})
        for edge, edge_label in (("soft", _("soft cap")), ("hard", _("hard cap"))):
            fields[f"{PREFIX}caps__{channel}__{edge}"] = forms.IntegerField(
                label=f"{spec.label} · {label} · {edge_label}", required=False,
                initial=cap.get(edge), help_text=_help(spec) if edge == "soft" else "",
                error_messages={"min_value": CAP_NEGATIVE}, min_value=0)
    return fields


def _exception_fields(value: dict) -> dict[str, forms.Field]:
    spec = parameter("exceptions")
    fields = {}
    for purpose, label in PURPOSE_CHOICES:
        allowed = value.get(purpose, {})
        fields[f"{PREFIX}exceptions__{purpose}__decision"] = forms.ChoiceField(
            label=f"{spec.label} · {label}", required=False, initial=allowed.get("decision", ""),
            choices=[("", _("no exception")), *DECISION_CHOICES], help_text=spec.help)
        fields[f"{PREFIX}exceptions__{purpose}__channels"] = forms.MultipleChoiceField(
            label=f"{spec.label} · {label} · {_('channels')}", required=False,
            initial=list(allowed.get("channels", ())), choices=CHANNEL_CHOICES,
            widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every channel."))
    return fields


def parameter_fields(params: dict) -> dict[str, forms.Field]:
    """The form fields for a rule's parameters, in the order the pack lists them."""
    fields: dict[str, forms.Field] = {}
    for name, value in params.items():
        if name == "caps" and isinstance(value, dict):
            fields.update(_caps_fields(value))
        elif name == "exceptions" and isinstance(value, dict):
            fields.update(_exception_fields(value))
        else:
            field = _simple_field(name, value)
            field.initial = _initial(name, value)
            fields[PREFIX + name] = field
    return fields


class RuleSettingForm(forms.ModelForm):
    note = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Kept with the new pack version and the audit event."))
    action = forms.ChoiceField(label=_("Action"), choices=DECISION_CHOICES,
                               help_text=_("What the gate answers when the rule applies."))

    class Meta:
        model = RuleSetting
        fields = ("enabled", "action")

    def _simple_value(self, name: str, raw):
        spec = parameter(name)
        if spec.kind == "clock":
            return raw.strftime(CLOCK_FORMAT) if raw else raw
        if spec.kind == "choices":
            return list(raw)
        if spec.kind == "words" and isinstance(self.instance.params.get(name), list):
            return [part.strip() for part in raw.split(",") if part.strip()]
        return raw

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
                    {"channels": list(channels)} if channels else {})}
        return exceptions

    def params_from(self, cleaned: dict) -> dict:
        params = {}
        for name, value in self.instance.params.items():
            if name == "caps" and isinstance(value, dict):
                params[name] = self._caps(cleaned)
            elif name == "exceptions" and isinstance(value, dict):
                params[name] = self._exceptions(cleaned)
            elif PREFIX + name in cleaned:
                params[name] = self._simple_value(name, cleaned[PREFIX + name])
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
        spec = parameter(name)
        lines.append(f"{spec.label}: {_value_text(spec, value)}")
    return "\n".join(lines)


def _value_text(spec, value) -> str:
    labels = dict(spec.choices) if spec.choices else dict(DECISION_CHOICES)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(labels.get(item, item)) for item in value) or "—"
    if isinstance(value, dict):
        channels, purposes = dict(CHANNEL_CHOICES), dict(PURPOSE_CHOICES)
        parts = []
        for key, inner in value.items():
            name = channels.get(key) or purposes.get(key) or key
            if isinstance(inner, dict) and "soft" in inner:
                parts.append(f"{name} {inner['soft']}/{inner['hard']}")
            elif isinstance(inner, dict):
                parts.append(f"{name} → {labels.get(inner.get('decision'), inner.get('decision'))}")
        return "; ".join(parts)
    text = labels.get(value, value) if isinstance(value, str) else value
    unit = f" {spec.unit}" if spec.unit and spec.kind in ("count", "positive") else ""
    return f"{text}{unit}"
