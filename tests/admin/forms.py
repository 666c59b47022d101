"""Posting an admin form as a browser would: every field with the value the page shows."""

from datetime import time


def _posted(value):
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return "" if value is None else str(value)


def form_data(form) -> dict:
    """The bound values of ``form``'s fields (a Django form from the page's context)."""
    data = {}
    for name in form.fields:
        value = _posted(form[name].value())
        if value is not None:
            data[name] = value
    return data
