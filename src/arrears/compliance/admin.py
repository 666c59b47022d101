"""Admin for the compliance officer: rule parameters (a save makes a new live pack version,
audited), word lists, holds, consents, opt-outs; the contact ledger and gate answers read-only.

A rule is edited as a form: its title in the reader's language and each parameter as a typed
field with its label, unit and help (``admin_forms``, from the gate's one catalogue
``gate.labels``), never as JSON."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from arrears.compliance.admin_forms import (
    RuleSettingForm,
    parameter_field_names,
    params_text,
    rule_setting_form_for,
)
from arrears.compliance.gate.labels import check_label, decision_label, rule_title
from arrears.compliance.models import (
    Consent,
    ContactAttempt,
    ForbiddenWord,
    GateCheck,
    Hold,
    OptOut,
    RulePack,
    RuleSetting,
    ThirdPartyDoNotCall,
)
from arrears.compliance.selectors import pack_cache_clear
from arrears.compliance.services import RuleChangeInvalid, rule_setting_change


@admin.display(description=_("title"))
def title_shown(setting: RuleSetting) -> str:
    return rule_title(setting.title)


@admin.display(description=_("check"))
def check_shown(setting: RuleSetting) -> str:
    return f"{check_label(setting.check_name)} ({setting.check_name})"


@admin.display(description=_("parameters"))
def params_shown(setting: RuleSetting) -> str:
    return params_text(setting.params) or "—"


@admin.display(description=_("action"))
def action_shown(setting: RuleSetting) -> str:
    return decision_label(setting.action)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: visible, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RuleSettingInline(admin.TabularInline):
    model = RuleSetting
    fields = ("rule_id", title_shown, "enabled", action_shown, params_shown, "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RulePack)
class RulePackAdmin(admin.ModelAdmin):
    list_display = ("profile", "version", "active", "created_at", "created_by", "note")
    list_filter = ("profile", "active")
    readonly_fields = ("profile", "version", "active", "default_time_zone", "region",
                       "created_by", "created_at", "note")
    inlines = [RuleSettingInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RuleSetting)
class RuleSettingAdmin(admin.ModelAdmin):
    """Saving a rule of the live pack creates the next pack version with the change."""

    form = RuleSettingForm
    list_display = ("rule_id", "pack", title_shown, "enabled", action_shown, "status")
    list_filter = ("pack__profile", "pack__active", "enabled", "status")
    search_fields = ("rule_id", "title", "source")
    readonly_fields = ("pack", "rule_id", check_shown, title_shown, params_shown, "source",
                       "status")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = rule_setting_form_for(obj)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        editable = self.has_change_permission(request, obj)
        parameters = parameter_field_names(obj) if editable else [params_shown]
        return [
            (None, {"fields": ["pack", "rule_id", title_shown, check_shown, "enabled",
                               "action" if editable else action_shown]}),
            (_("Parameters"), {"fields": parameters}),
            (None, {"fields": (["note"] if editable else []) + ["source", "status"]}),
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        live = obj is None or RulePack.objects.filter(pk=obj.pack_id, active=True).exists()
        return live and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            new = rule_setting_change(obj, enabled=form.cleaned_data["enabled"],
                                      action=form.cleaned_data["action"],
                                      params=form.cleaned_data["params"], actor=request.user,
                                      note=form.cleaned_data.get("note", ""))
        except RuleChangeInvalid as error:
            messages.error(request, str(error))
            return
        obj.pk, obj.pack_id = new.pk, new.pack_id
        messages.info(request, _("%(pack)s is now live.") % {"pack": new.pack})


@admin.register(ForbiddenWord)
class ForbiddenWordAdmin(admin.ModelAdmin):
    list_display = ("word", "language", "category", "rule_id", "active")
    list_filter = ("language", "category", "active")
    search_fields = ("word",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pack_cache_clear()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pack_cache_clear()


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ("account", "kind", "since", "until", "released_at", "reference")
    list_filter = ("kind",)
    search_fields = ("account__external_id", "reference")
    raw_id_fields = ("account",)
    readonly_fields = ("created_by", "released_by")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("account", "kind", "channel", "valid_from", "valid_until", "reference")
    list_filter = ("kind", "channel")
    search_fields = ("account__external_id", "reference")
    raw_id_fields = ("account",)
    readonly_fields = ("created_by",)


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("cardholder", "channel", "at", "note")
    list_filter = ("channel",)
    search_fields = ("cardholder__external_id",)
    raw_id_fields = ("cardholder", "account")
    readonly_fields = ("created_by",)


@admin.register(ThirdPartyDoNotCall)
class ThirdPartyDoNotCallAdmin(admin.ModelAdmin):
    list_display = ("third_party", "at", "created_by")
    raw_id_fields = ("third_party",)
    readonly_fields = ("created_by",)


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "account", "channel", "counterparty", "outcome", "purpose",
                    "check_id")
    list_filter = ("channel", "outcome", "counterparty", "purpose")
    search_fields = ("account__external_id",)
    show_full_result_count = False


@admin.register(GateCheck)
class GateCheckAdmin(ReadOnlyAdmin):
    list_display = ("asked_at", "account", "channel", "purpose", "verdict", "decision",
                    "not_before", "rule_ids", "reference")
    list_filter = ("verdict", "decision", "channel", "profile")
    search_fields = ("account__external_id", "reference", "rule_ids")
    show_full_result_count = False
