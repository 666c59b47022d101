"""Text that a database cannot store: refused at the boundary with the field's name.

PostgreSQL refuses a NUL character in text and JSON, and a lone UTF-16 surrogate (which JSON's
``\\ud800`` escape decodes to) cannot be encoded at all; other control characters are never
part of an id, an amount or a reason. Tab, line feed and carriage return are allowed.
"""

from collections.abc import Iterator

ALLOWED_CONTROLS = frozenset("\t\n\r")


def _unstorable(character: str) -> bool:
    code = ord(character)
    return ((code < 0x20 and character not in ALLOWED_CONTROLS) or code == 0x7F
            or 0xD800 <= code <= 0xDFFF)


def unstorable_character(text: str) -> str | None:
    """The first character of ``text`` that must not be stored, or None."""
    return next((c for c in text if _unstorable(c)), None)


def describe(character: str) -> str:
    """``"\\x00"`` → ``U+0000``: how a message names a character nobody can see."""
    return f"U+{ord(character):04X}"


def unstorable_in(value, path: str = "") -> Iterator[tuple[str, str]]:
    """``(path, character)`` for every string (key or value) in JSON data with a character
    that must not be stored; the path names the field (``items.0.id``)."""
    if isinstance(value, str):
        found = unstorable_character(value)
        if found:
            yield path, found
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if unstorable_character(str(key)):
                yield name, unstorable_character(str(key))
            yield from unstorable_in(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable_in(item, f"{path}.{index}" if path else str(index))
