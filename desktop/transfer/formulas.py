"""Text cells a spreadsheet would run as a formula get a leading apostrophe (CSV and .xlsx only).

The rule is reversible: a text that already starts with an apostrophe followed by what would be
defused gets one more, so reading a defused cell back gives exactly the text that was written.
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def needs_defusing(text: str) -> bool:
    return text.lstrip("'").startswith(TRIGGERS)


def defuse(text: str) -> str:
    return "'" + text if needs_defusing(text) else text


def undefuse(text: str) -> str:
    return text[1:] if text.startswith("'") and needs_defusing(text[1:]) else text
