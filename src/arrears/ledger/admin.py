from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from arrears.ledger.models import (
    CycleRun,
    DelinquencyPolicy,
    DelinquencyRange,
    InterestStop,
    Posting,
)


@admin.register(Posting)
class PostingAdmin(admin.ModelAdmin):
    """The ledger is append-only: the admin shows postings but never edits or deletes them."""

    list_display = ("external_id", "account", "kind", "amount_minor", "component",
                    "posting_date", "source")
    list_filter = ("kind", "source")
    search_fields = ("external_id", "account__external_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CycleRun)
class CycleRunAdmin(admin.ModelAdmin):
    list_display = ("as_of", "started_at", "finished_at", "accounts", "interest_postings",
                    "fee_postings")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DelinquencyRangeFormSet(forms.BaseInlineFormSet):
    """A policy's ranges must start at 0 days past due and have distinct codes and starts."""

    def clean(self):
        super().clean()
        kept = [f.cleaned_data for f in self.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError(_("A policy needs at least one range."))
        starts = [row["min_days"] for row in kept]
        codes = [row["code"] for row in kept]
        if min(starts) != 0:
            raise forms.ValidationError(
                _("The first range must start at 0 days past due (the current accounts)."))
        if len(set(starts)) != len(starts) or len(set(codes)) != len(codes):
            raise forms.ValidationError(_("Each range needs its own bucket and its own start."))


class DelinquencyRangeInline(admin.TabularInline):
    model = DelinquencyRange
    formset = DelinquencyRangeFormSet
    extra = 0
    fields = ("code", "min_days")


@admin.register(DelinquencyPolicy)
class DelinquencyPolicyAdmin(admin.ModelAdmin):
    """Buckets by days past due, a version per change (every save audited, ranges included):
    the cycle uses the latest version valid on its date, for the product or by default."""

    list_display = ("__str__", "product", "version", "valid_from", "ranges_shown", "created_at")
    list_filter = ("product",)
    fields = ("product", "version", "valid_from", "note")
    inlines = [DelinquencyRangeInline]

    @admin.display(description=_("ranges"))
    def ranges_shown(self, policy: DelinquencyPolicy) -> str:
        return ", ".join(f"{r.code} ≥ {r.min_days}" for r in policy.ranges.all())

    def has_delete_permission(self, request, obj=None):
        return False  # bucket changes name the version that gave them


@admin.register(InterestStop)
class InterestStopAdmin(admin.ModelAdmin):
    """Written by the arrangements (a plan with interest stopped): shown, never edited."""

    list_display = ("account", "first_day", "last_day", "reference")
    search_fields = ("account__external_id", "reference")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
