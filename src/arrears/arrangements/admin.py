"""Admin: the authority matrix is edited here, as a form in money and role names; arrangements
are read-only (services write them)."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from arrears.arrangements.models import (
    ApprovalRequest,
    AuthorityLimit,
    Plan,
    PlanInstalment,
    Promise,
    Waiver,
)
from arrears.rules.money import format_amount, parse_amount, to_decimal
from arrears.users.roles import ROLES


def _currency() -> str:
    return settings.ARREARS_DEFAULT_CURRENCY


def _role_choices(current: str) -> list[tuple[str, object]]:
    choices = [(role.code, role.label) for role in ROLES]
    if current and current not in {code for code, _label in choices}:
        choices.append((current, current))
    return choices


class AuthorityLimitForm(forms.ModelForm):
    """One row of the authority matrix: a role, a kind of concession and its limits, the
    amount in money (stored in minor units)."""

    group_name = forms.ChoiceField(label=_("Role"), help_text=_("Members of this role may "
                                                                "grant up to these limits."))
    max_amount = forms.DecimalField(
        label=_("Largest amount"), required=False, min_value=Decimal(0), decimal_places=2,
        error_messages={"min_value": _("An amount cannot be negative.")},
        help_text=_("In the account's currency, e.g. 500.00. Empty: no limit on the amount."))
    max_share_of_balance = forms.DecimalField(
        label=_("Largest share of the balance"), required=False, min_value=Decimal(0),
        max_value=Decimal(1), decimal_places=4,
        help_text=_("A fraction: 0.2 is a fifth of the balance. Empty: no limit on the share."))
    max_months = forms.IntegerField(
        label=_("Longest term"), required=False, min_value=0,
        help_text=_("In months, for plans and extensions. Empty: no limit on the term."))

    class Meta:
        model = AuthorityLimit
        fields = ("group_name", "kind", "max_share_of_balance", "max_months")
        help_texts = {"kind": _("The kind of concession the limit applies to.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group_name"].choices = _role_choices(self.instance.group_name)
        minor = self.instance.max_amount_minor
        if minor is not None:
            self.fields["max_amount"].initial = to_decimal(minor, _currency())

    def save(self, commit=True):
        amount = self.cleaned_data.get("max_amount")
        self.instance.max_amount_minor = (None if amount is None
                                          else parse_amount(str(amount), _currency()))
        return super().save(commit)


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(admin.ModelAdmin):
    form = AuthorityLimitForm
    fields = ("group_name", "kind", "max_amount", "max_share_of_balance", "max_months")
    list_display = ("role", "kind", "largest_amount", "max_share_of_balance", "max_months")
    list_filter = ("group_name", "kind")

    @admin.display(description=_("role"), ordering="group_name")
    def role(self, limit: AuthorityLimit) -> str:
        return str(dict(_role_choices(limit.group_name)).get(limit.group_name))

    @admin.display(description=_("largest amount"), ordering="max_amount_minor")
    def largest_amount(self, limit: AuthorityLimit) -> str:
        if limit.max_amount_minor is None:
            return "—"
        return f"{format_amount(limit.max_amount_minor, _currency())} {_currency()}"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InstalmentInline(admin.TabularInline):
    model = PlanInstalment
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Promise)
class PromiseAdmin(ReadOnlyAdmin):
    list_display = ("account", "amount_minor", "due_date", "status", "taken_by", "taken_at")
    list_filter = ("status",)
    raw_id_fields = ("account",)


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("account", "kind", "months", "total_minor", "status", "proposed_by",
                    "approved_by")
    list_filter = ("kind", "status")
    raw_id_fields = ("account",)
    inlines = [InstalmentInline]


@admin.register(Waiver)
class WaiverAdmin(ReadOnlyAdmin):
    list_display = ("account", "kind", "amount_minor", "settle_for_minor", "status",
                    "proposed_by", "approved_by")
    list_filter = ("kind", "status")
    raw_id_fields = ("account",)


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ("subject_type", "subject_id", "account", "authority_kind", "amount_minor",
                    "status", "requested_by", "decided_by")
    list_filter = ("status", "authority_kind")
    raw_id_fields = ("account",)
