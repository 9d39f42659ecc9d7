"""The table core: what rows a table shows and how they are read, with no Qt (ui/table_model.py relays it)."""

from desktop.table.core import MAX_WINDOWS, Cells, Post, TableCore
from desktop.table.events import TableEvents
from desktop.table.queries import WINDOW_ROWS, Pending, Query
from desktop.table.workers import Result, wait_for_queries

__all__ = [
    "MAX_WINDOWS",
    "WINDOW_ROWS",
    "Cells",
    "Pending",
    "Post",
    "Query",
    "Result",
    "TableCore",
    "TableEvents",
    "wait_for_queries",
]
