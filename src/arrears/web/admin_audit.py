"""Every change made in the admin goes into the hash-chained audit trail: who, what, the field
values before and after (personal data masked, passwords never), role grants and removals.

``AuditedAdminMixin`` is put in front of every ModelAdmin by ``ArrearsAdminSite.register``, so
no registered model escapes it. Where it hooks in:

- the state before a change is read from the database when the admin fetches the object for a
  POST (``get_object``: the change form and the password form) or, for the list page's
  editable columns, when the form is saved (``save_form``);
- the event is written in ``log_addition`` / ``log_change``, which Django calls after the
  object and its many-to-many fields (groups, permissions) are saved, inside the admin's
  transaction;
- deletions, one (``delete_model``) or many (the bulk delete action, ``delete_queryset``),
  write one event per object in the same transaction as the delete;
- inline rows (collectors of a team) are recorded in ``save_formset``.

An admin whose saves go through a service that writes its own audit event (a rule change, a
template version, an API token) sets ``audit_saves_by_service = True``.
"""

import json
from typing import Any

from django.db import transaction

from arrears.audit.services import audit_record, client_of
from arrears.portfolio.masking import M1
from arrears.web.personal_data import masked_value, personal_data_of

PASSWORD_FIELD = "password"


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _related_name(obj) -> str:
    """A many-to-many member as a person reads it: a permission by its dotted name."""
    meta = obj._meta
    if meta.label_lower == "auth.permission":
        return f"{obj.content_type.app_label}.{obj.codename}"
    return str(obj)


def snapshot(obj) -> dict[str, Any]:
    """The stored values of ``obj``: concrete fields (personal data masked) and many-to-many
    members by name. The password hash is kept only to tell whether it changed."""
    data = personal_data_of(type(obj))
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if data and field.name in data.fields:
            values[field.name] = masked_value(obj, field.name, M1, data)
        else:
            values[field.name] = _plain(field.value_from_object(obj))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(_related_name(member)
                                        for member in getattr(obj, field.name).all())
    return values


def stored_snapshot(obj) -> dict[str, Any] | None:
    """The snapshot of ``obj`` as the database holds it now (before an unsaved change)."""
    if obj.pk is None:
        return None
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(stored) if stored is not None else None


def _shown(name: str, value: Any) -> Any:
    return ("set" if value else "not set") if name == PASSWORD_FIELD else value


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``{field: {"old": …, "new": …}}`` for each changed field; a password only "changed"."""
    changes: dict[str, Any] = {}
    for name in after:
        if before.get(name) == after[name]:
            continue
        changes[name] = "changed" if name == PASSWORD_FIELD else {
            "old": before.get(name), "new": after[name]}
    return changes


def values_shown(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _shown(name, value) for name, value in values.items()}


def admin_event(request, action: str, obj, details: dict[str, Any], *, object_id=None,
                object_text: str = "") -> None:
    """One audit event for an admin action on ``obj`` (a deleted object passes the id and the
    text it had)."""
    audit_record(actor=request.user, action=action, object_type=obj._meta.label_lower,
                 object_id=obj.pk if object_id is None else object_id,
                 client=client_of(request),
                 details={"object": object_text or str(obj), **details})


class AuditedAdminMixin:
    """Records every add, change and delete made through this ModelAdmin (see module doc)."""

    audit_saves_by_service = False

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "POST":
            obj._audit_before = snapshot(obj)
        return obj

    def save_form(self, request, form, change):
        if change and not hasattr(form.instance, "_audit_before"):
            form.instance._audit_before = stored_snapshot(form.instance)
        return super().save_form(request, form, change)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if not self.audit_saves_by_service:
            admin_event(request, "admin.add", obj,
                        {"values": values_shown(snapshot(obj))})
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if self.audit_saves_by_service:
            return entry
        before = getattr(obj, "_audit_before", None)
        after = stored_snapshot(obj) or snapshot(obj)
        changes = changes_between(before, after) if before is not None else {}
        if changes or before is None:
            admin_event(request, "admin.change", obj,
                        {"changes": changes, "message": message or []})
        obj._audit_before = after
        return entry

    def delete_model(self, request, obj):
        with transaction.atomic():
            pk, text, before = obj.pk, str(obj), values_shown(snapshot(obj))
            super().delete_model(request, obj)
            admin_event(request, "admin.delete", obj, {"values": before}, object_id=pk,
                        object_text=text)

    def delete_queryset(self, request, queryset):
        """The bulk delete action: one event per deleted object, with its values."""
        with transaction.atomic():
            doomed = [(obj.pk, str(obj), obj, values_shown(snapshot(obj))) for obj in queryset]
            super().delete_queryset(request, queryset)
            for pk, text, obj, before in doomed:
                admin_event(request, "admin.delete", obj, {"values": before}, object_id=pk,
                            object_text=text)

    def save_formset(self, request, form, formset, change):
        """Inline rows: the stored values of the changed and deleted rows are read before the
        formset saves, then each added, changed or deleted row is recorded."""
        befores = {}
        for inline_form in formset.initial_forms:
            instance = inline_form.instance
            if instance.pk is not None and inline_form.has_changed():
                befores[id(instance)] = (instance.pk, str(instance), stored_snapshot(instance))
        super().save_formset(request, form, formset, change)
        parent = str(form.instance)
        for obj in formset.new_objects:
            admin_event(request, "admin.add", obj, {"values": values_shown(snapshot(obj)),
                                                    "parent": parent})
        for obj, _fields in formset.changed_objects:
            _pk, _text, before = befores.get(id(obj), (None, "", {}))
            admin_event(request, "admin.change", obj,
                        {"changes": changes_between(before or {}, snapshot(obj)),
                         "parent": parent})
        for obj in formset.deleted_objects:
            pk, text, before = befores.get(id(obj), (None, str(obj), {}))
            admin_event(request, "admin.delete", obj,
                        {"values": values_shown(before or {}), "parent": parent},
                        object_id=pk, object_text=text)
