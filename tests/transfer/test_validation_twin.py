"""The plain model an import validates rows with keeps every rule and message of the Create schema."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from desktop.store import ENTITIES
from desktop.transfer.importing import import_schema, plain_twin

GOOD: dict[str, dict[str, Any]] = {
    "task": {"title": "Write", "owner_id": 1, "status": "done", "created_at": "2024-01-01T10:00:00"},
    "user": {"username": "alice", "email": "Alice@Example.com"},
    "hero": {"name": "Thor", "power": "Lightning", "level": 5, "team_id": 2},
    "team": {"name": "Avengers"},
    "item": {"name": "Widget", "price": "12.99", "in_stock": "false", "description": "  "},
}
ODD_VALUES: list[Any] = [
    None,
    "",
    "   ",
    "x" * 20_001,
    -1,
    0,
    "abc",
    10**12,
    "NaN",
    "inf",
    "a\x00b",
    "1e400",
    1.5,
    True,
]


def _outcome(schema: type[BaseModel], values: dict[str, Any]) -> Any:
    try:
        dumped = schema.model_validate(values).model_dump()
    except ValidationError as error:
        return [(e["type"], e["loc"], e["msg"]) for e in error.errors(include_url=False)]
    made_now = {  # a default_factory's value (created_at: now) differs by the microsecond between calls
        name for name, info in schema.model_fields.items() if name not in values and info.default_factory
    }
    return {name: "made now" if name in made_now else value for name, value in dumped.items()}


@pytest.mark.parametrize("name", list(ENTITIES))
def test_every_odd_value_gets_the_same_answer(name: str) -> None:
    schema = import_schema(ENTITIES[name])
    twin = plain_twin(schema)
    assert twin is not schema  # the fast path is taken for every entity today
    fields = list(schema.model_fields)
    cases = [dict(GOOD[name])]
    for field, value in itertools.product(fields, ODD_VALUES):
        cases.append({**GOOD[name], field: value})
    cases.extend({key: value for key, value in GOOD[name].items() if key != field} for field in fields)
    for values in cases:
        assert _outcome(twin, values) == _outcome(schema, values), values
