"""Plain-text tables for the ``account`` and ``token`` commands, aligned for Chinese labels too.

A CJK character takes two terminal columns, so padding uses the display width, not ``len``.
"""

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    gap = " " * max(width - display_width(text), 0)
    return gap + text if right else text + gap


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()
          ) -> list[str]:
    """Lines of a table with a header row; columns whose index is in ``right`` align right."""
    everything = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(display_width(row[i]) for row in everything) for i in range(len(headers))]
    lines = []
    for row in everything:
        cells = [pad(cell, widths[i], right=i in right) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines
