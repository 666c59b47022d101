"""Posting an admin form as a browser would: every field with the value the page shows."""

from datetime import time

from django import forms


def _posted(field: forms.Field, value):
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple):
        return _in_page_order(field, [str(item) for item in value])
    return "" if value is None else str(value)


def _in_page_order(field: forms.Field, values: list[str]) -> list[str]:
    """Ticked boxes as a browser sends them: in the order the page lists the choices."""
    order = [str(code) for code, _label in getattr(field, "choices", ())]
    return sorted(values, key=lambda value: order.index(value) if value in order else len(order))


def form_data(form) -> dict:
    """The bound values of ``form``'s fields (a Django form from the page's context)."""
    data = {}
    for name, field in form.fields.items():
        value = _posted(field, form[name].value())
        if value is not None:
            data[name] = value
    return data
