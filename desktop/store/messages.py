"""Validation errors worded for people: the same sentence in the edit dialog, an import report and the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def plain_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def rule_broken(error: Mapping[str, Any]) -> str | None:
    """The rule an input broke, worded to follow the field's label; None when only a sentence fits."""
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        return message if message[:1].islower() else None
    if kind == "missing" or (kind.endswith("_type") and given is None):
        return "is required"
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        return "must not be blank" if minimum == 1 else f"must be at least {minimum} characters long"
    if kind == "string_too_long":
        length = f" (it has {len(given):,})" if isinstance(given, str) else ""
        return f"must be at most {plain_number(ctx.get('max_length'))} characters{length}"
    bounds = {
        "greater_than_equal": ("must be at least", "ge"),
        "greater_than": ("must be more than", "gt"),
        "less_than_equal": ("must be at most", "le"),
        "less_than": ("must be less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {plain_number(ctx.get(key))}"
    return None


def field_message(error: Mapping[str, Any]) -> str:
    """What is wrong with one field's value, as a phrase: "must not be blank", "Input should be …"."""
    return rule_broken(error) or str(error["msg"]).removeprefix("Value error, ")
