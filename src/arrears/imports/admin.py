from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.imports.models import ImportColumn, ImportProfile


class ImportColumnFormSet(forms.BaseInlineFormSet):
    """Each bank column once, each of our columns from at most one bank column."""

    def clean(self) -> None:
        super().clean()
        seen_file, seen_ours = set(), set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            file_column = data.get("file_column", "").strip().lower()
            column = data.get("column", "").strip().lower()
            if file_column in seen_file:
                raise ValidationError(_("the bank's column %(name)s is named twice")
                                      % {"name": data["file_column"]})
            if column and column in seen_ours:
                raise ValidationError(_("two of the bank's columns are mapped to %(name)s")
                                      % {"name": column})
            seen_file.add(file_column)
            if column:
                seen_ours.add(column)


class ImportColumnInline(admin.TabularInline):
    model = ImportColumn
    formset = ImportColumnFormSet
    extra = 3
    fields = ("file_column", "column")


@admin.register(ImportProfile)
class ImportProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "encoding", "delimiter", "date_format",
                    "decimal_separator", "thousands_separator", "currency_symbol",
                    "minor_units", "updated_at")
    list_filter = ("kind", "encoding")
    search_fields = ("name", "description")
    inlines = [ImportColumnInline]
    fieldsets = (
        (None, {"fields": ("name", "kind", "description")}),
        (gettext_lazy("Text"), {"fields": ("encoding", "delimiter")}),
        (gettext_lazy("Dates and amounts"), {"fields": ("date_format", "decimal_separator",
                                             "thousands_separator", "currency_symbol",
                                             "minor_units")}),
    )
