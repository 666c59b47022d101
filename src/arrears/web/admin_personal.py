"""Personal data in the admin: masked like every other page, revealed only with a purpose.

``PersonalDataAdminMixin`` is put in front of every ModelAdmin by ``ArrearsAdminSite`` (and of
their inlines). For the personal fields of a model (``arrears.web.personal_data``):

- list columns, change forms and view pages show a read-only masked value at the user's
  masking level (the access policy's ``masking_level``: M1 in-house, M0 outside the office)
  instead of the raw field, which is left out of the form, so a crafted POST cannot change
  it either;
- search never looks into personal fields (a search box would tell whether an ID exists),
  nor does a filter in the URL (``?recipient__startswith=138`` would tell a masked phone
  number digit by digit): such a lookup is refused (400);
- opening the change page of a record with personal data is an audit event ``admin.view``,
  like ``account.view`` on the account page;
- a user with ``audit.reveal_pii`` sees a reveal form: purpose code and reason go through
  ``pii_reveal`` (audited), and one page shows the values unmasked.
"""

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from arrears.access.policy import masking_level
from arrears.audit.services import (
    PURPOSE_LABELS,
    REVEAL_PERMISSION,
    RevealRefused,
    audit_record,
    client_of,
    pii_reveal,
)
from arrears.portfolio.masking import FULL
from arrears.web.personal_data import masked_value, personal_data_of

_CACHE = "_arrears_masked_displays"


def _display(model, field_name: str, level: str, data):
    """A read-only column or form row showing ``field_name`` masked at ``level``."""

    def shown(obj) -> str:
        return masked_value(obj, field_name, level, data)

    shown.short_description = model._meta.get_field(field_name).verbose_name
    shown.__name__ = f"{field_name}_masked"
    return shown


class PersonalDataAdminMixin:
    """Masks the model's personal fields everywhere in the admin (see the module doc)."""

    def _personal(self):
        return personal_data_of(self.model)

    def _displays(self, request) -> dict:
        """The masked displays of this admin's personal fields for this request (the same
        objects on every call, as the admin matches read-only fields by identity)."""
        data = self._personal()
        if data is None:
            return {}
        cache = request.__dict__.setdefault(_CACHE, {})
        key = (type(self), self.model)
        if key not in cache:
            level = masking_level(request.user)
            cache[key] = {name: _display(self.model, name, level, data) for name in data.fields}
        return cache[key]

    def _swap(self, request, names) -> list:
        """``names`` (fields, or rows of fields) with each personal field replaced by its
        masked display, without repeats."""
        displays = self._displays(request)

        def one(name):
            if isinstance(name, list | tuple):
                return tuple(one(inner) for inner in name)
            return displays.get(name, name) if isinstance(name, str) else name

        return list(dict.fromkeys(one(name) for name in names))

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or ())
        data = self._personal()
        return [*exclude, *data.fields] if data else exclude or None

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        displays = self._displays(request)
        if not displays:
            return fields
        return list(dict.fromkeys([*self._swap(request, fields), *displays.values()]))

    def get_fields(self, request, obj=None):
        return self._swap(request, super().get_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        if not self._personal():
            return super().get_fieldsets(request, obj)
        return [(title, {**options, "fields": self._swap(request, options["fields"])})
                for title, options in super().get_fieldsets(request, obj)]

    def get_list_display(self, request):
        return self._swap(request, super().get_list_display(request))

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        data = self._personal()
        if not data:
            return fields
        return [name for name in fields if name.lstrip("^=@") not in data.fields]

    def lookup_allowed(self, lookup, value, request=None):
        """No filter of the list page (``?field__lookup=value``) may look into a personal
        field, of this model or of one it leads to."""
        if _touches_personal_data(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    # --- ModelAdmin only (inlines have no pages of their own) ------------------------------

    def get_inlines(self, request, obj):
        return [_personal_inline(inline) for inline in super().get_inlines(request, obj)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if self._personal() is not None and request.method == "GET":
            audit_record(actor=request.user, action="admin.view",
                         object_type=self.model._meta.label_lower, object_id=object_id,
                         client=client_of(request),
                         details={"page": "admin", "masking": masking_level(request.user)})
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        if self._personal() is not None and obj is not None and obj.pk is not None:
            context["personal_data"] = {
                "level": masking_level(request.user),
                "may_reveal": request.user.has_perm(REVEAL_PERMISSION),
                "reveal_url": reverse(self._reveal_url_name(), args=(obj.pk,),
                                      current_app=self.admin_site.name),
                "purposes": list(PURPOSE_LABELS.items()),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _reveal_url_name(self) -> str:
        opts = self.model._meta
        return f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_reveal"

    def get_urls(self):
        urls = super().get_urls()
        if self._personal() is None:
            return urls
        opts = self.model._meta
        return [path("<path:object_id>/reveal/",
                     self.admin_site.admin_view(self.reveal_view),
                     name=f"{opts.app_label}_{opts.model_name}_reveal"), *urls]

    def reveal_view(self, request, object_id):
        """POST purpose and reason: ``pii_reveal`` records who, why and what, and this one
        response shows the record's personal data (and its inlines') unmasked."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        change_url = reverse(f"{self.admin_site.name}:{obj._meta.app_label}_"
                             f"{obj._meta.model_name}_change", args=(obj.pk,))
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        rows = self._revealed_rows(request, obj)
        try:
            pii_reveal(request.user, object_type=obj._meta.label_lower, object_id=str(obj.pk),
                       fields=sorted({row["field"] for row in rows}),
                       purpose=request.POST.get("purpose", ""),
                       reason=request.POST.get("reason", ""), client=client_of(request))
        except RevealRefused as refused:
            messages.error(request, str(refused))
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Personal data of %(object)s") % {"object": obj},
            "subtitle": None, "opts": obj._meta, "original": obj, "rows": rows,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/arrears/revealed.html", context)

    def _revealed_rows(self, request, obj) -> list[dict]:
        """The personal fields of ``obj`` and of its inline rows, unmasked where allowed."""
        rows = _rows_of(obj, self._personal(), "")
        for inline in self.get_inline_instances(request, obj):
            data = personal_data_of(inline.model)
            if data is None:
                continue
            for related in inline.get_queryset(request).filter(
                    **{inline.fk_name or _fk_name(inline): obj}):
                rows += _rows_of(related, data, f"{related._meta.verbose_name} {related}")
        return rows


def _touches_personal_data(model, lookup: str) -> bool:
    """Whether the lookup path ``lookup`` (``account__cardholder__name__startswith``) names
    a personal field of any model along it."""
    for part in lookup.split(LOOKUP_SEP):
        data = personal_data_of(model)
        if data is not None and part in data.fields:
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


def _fk_name(inline) -> str:
    from django.forms.models import _get_foreign_key

    return _get_foreign_key(inline.parent_model, inline.model).name


def _rows_of(obj, data, prefix: str) -> list[dict]:
    rows = []
    for name in data.fields:
        level = "M1" if name in data.never_revealed else FULL
        label = str(obj._meta.get_field(name).verbose_name)
        rows.append({"field": name, "label": f"{prefix} · {label}" if prefix else label,
                     "value": masked_value(obj, name, level, data)})
    return rows


_INLINE_CLASSES: dict[type, type] = {}


def _personal_inline(inline: type) -> type:
    """The inline class ``inline`` with the masking mixin in front (made once)."""
    if issubclass(inline, PersonalDataAdminMixin) or personal_data_of(inline.model) is None:
        return inline
    if inline not in _INLINE_CLASSES:
        _INLINE_CLASSES[inline] = type(inline.__name__, (PersonalDataAdminMixin, inline),
                                       {"__module__": inline.__module__,
                                        "__doc__": inline.__doc__})
    return _INLINE_CLASSES[inline]
