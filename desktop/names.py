"""What the app and its entities are called, and the order of the entities' tabs.

Plain Python without the data layer's libraries: the window shows these before SQLModel is
imported (desktop/ui/application.py). The registry (desktop/store/entities.py) takes each
entity's name and labels from here.
"""

from __future__ import annotations

from dataclasses import dataclass

APP_NAME = "Taskforce"


@dataclass(frozen=True)
class EntityName:
    """An entity's name in code, and its singular and plural labels for people."""

    name: str
    label: str
    plural: str


TASK = EntityName("task", "Task", "tasks")
USER = EntityName("user", "User", "users")
HERO = EntityName("hero", "Hero", "heroes")
TEAM = EntityName("team", "Team", "teams")
ITEM = EntityName("item", "Item", "items")

# The order of the tabs, and of counts, backups and every listing (the registry keeps it).
TAB_ORDER: tuple[EntityName, ...] = (TASK, USER, HERO, TEAM, ITEM)
