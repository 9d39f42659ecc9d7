"""EXPLAIN as a statement of its own: PostgreSQL's plan for a query, planned and not run."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable


class PlanOf(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON)` of a statement; its one row holds the plan, with the planner's estimates."""

    inherit_cache = False

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement


@compiles(PlanOf, "postgresql")
def _plan_of(element: PlanOf, compiler: SQLCompiler, **options: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **options)
