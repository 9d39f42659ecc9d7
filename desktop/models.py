"""Tables and their Base / Create / Read / Update schemas.

Each rule (length, range, blank, e-mail, decimals shown) is declared once here; the store
relies on it, and desktop/store/fields.py reads it for every widget and column.
"""

# No "from __future__ import annotations": SQLModel resolves relationship annotations at class creation.
import math
import unicodedata
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Optional

import sqlalchemy as sa
from pydantic import field_validator
from sqlalchemy.dialects import mysql
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, Relationship, SQLModel

NAME_MAX = 100
TITLE_MAX = 200
POWER_MAX = 100
USERNAME_MAX = 50
EMAIL_MAX = 254
DESCRIPTION_MAX = 20_000
LEVEL_MIN, LEVEL_MAX = 1, 100
PRICE_MAX = 1_000_000_000.0

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# On MariaDB utf8mb4 with a binary collation: every character round-trips and
# uniqueness means "the same text" on MariaDB as on SQLite and PostgreSQL.
TABLE_ARGS: dict[str, Any] = {
    # On SQLite ids are never reused (revision 0004), so an undone delete gets its ids back.
    "sqlite_autoincrement": True,
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mariadb_charset": "utf8mb4",
    "mariadb_collate": "utf8mb4_bin",
}


class UtcTimestamp(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime stored as naive UTC with microseconds everywhere."""

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in {"mysql", "mariadb"}:
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime(timezone=False))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def long_text() -> sa.types.TypeEngine[str]:
    return sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def utc_now() -> datetime:
    return datetime.now(UTC)


def shown_with(*, decimals: int) -> dict[str, Any]:
    """How many decimals a number is shown and typed with (read by desktop/store/fields.py)."""
    return {"json_schema_extra": {"decimals": decimals}}


def version_field() -> Any:
    """The row version: 1 when inserted, +1 on every change (optimistic concurrency)."""
    return Field(default=1, sa_column_kwargs={"server_default": sa.text("1")})


@declared_attr.directive
def versioned_mapper_args(cls: Any) -> dict[str, Any]:
    # An UPDATE then says "WHERE id = ? AND version = ?": a row someone else changed is not overwritten.
    return {"version_id_col": cls.__table__.c.version}


# --- shared validators -------------------------------------------------------


def _reject_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Characters that show nothing by themselves: spaces and separators, format characters (zero-width
# space and joiners, direction marks, the byte order mark), and by code point the Hangul fillers,
# the combining grapheme joiner, the variation selectors and the blank Braille pattern. Given as
# numbers, not text, so that no source line holds an invisible character.
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf"})
INVISIBLE_CODE_POINTS = frozenset(
    {0x034F, 0x115F, 0x1160, 0x2800, 0x3164, 0xFFA0, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}
)


def looks_blank(text: str) -> bool:
    """Whether the text shows nothing: empty, or only spaces and invisible characters."""
    return all(
        char.isspace()
        or ord(char) in INVISIBLE_CODE_POINTS
        or unicodedata.category(char) in INVISIBLE_CATEGORIES
        for char in text
    )


def required_text(value: object) -> object:
    """Strip a required text field; blank (also when made only of invisible characters) or None is refused."""
    if value is None:
        raise ValueError("is required and cannot be cleared")
    if isinstance(value, str):
        value = _reject_nul(value.strip())
        if looks_blank(value):
            raise ValueError("must not be blank")
    return value


def optional_text(value: object) -> object:
    """Strip an optional text field; blank becomes None."""
    if isinstance(value, str):
        value = _reject_nul(value.strip())
        return value or None
    return value


def required_value(value: object) -> object:
    if value is None:
        raise ValueError("is required and cannot be cleared")
    return value


def normalized_email(value: object) -> object:
    # Imported when an address is first checked: compiling its patterns took 20-35 ms of start-up.
    from email_validator import EmailNotValidError, validate_email

    value = required_text(value)
    if not isinstance(value, str):
        return value
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(f"is not a valid e-mail address ({error})") from error
    # Stored lower-case so that uniqueness is case-insensitive on every database.
    return checked.normalized.lower()


def finite_price(value: object) -> object:
    """Refuse NaN and infinities before range checks give a confusing message."""
    value = required_value(value)
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            number = float(value)
        except ValueError:
            return value  # pydantic reports "not a valid number"
        except OverflowError:
            raise ValueError("is too large") from None
        if not math.isfinite(number):
            raise ValueError("must be a finite number")
    return value


class TaskStatus(StrEnum):
    todo = "todo"
    in_progress = "in_progress"
    done = "done"

    @property
    def label(self) -> str:
        return {"todo": "To do", "in_progress": "In progress", "done": "Done"}[self.value]


STATUS_TYPE = sa.Enum(
    TaskStatus,
    native_enum=False,
    length=20,
    values_callable=lambda enum: [member.value for member in enum],
    validate_strings=True,
    name="taskstatus",
)


# --- Team --------------------------------------------------------------------


class TeamBase(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX, index=True)

    _clean = field_validator("name", mode="before")(required_text)


class Team(TeamBase, table=True):
    __table_args__ = TABLE_ARGS
    __mapper_args__ = versioned_mapper_args
    id: int | None = Field(default=None, primary_key=True)
    version: int = version_field()
    heroes: list["Hero"] = Relationship(back_populates="team")


class TeamCreate(TeamBase):
    pass


class TeamRead(TeamBase):
    id: int
    version: int


class TeamUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)

    _clean = field_validator("name", mode="before")(required_text)


# --- Hero --------------------------------------------------------------------


class HeroBase(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX, index=True)
    power: str = Field(min_length=1, max_length=POWER_MAX)
    level: int = Field(default=1, ge=LEVEL_MIN, le=LEVEL_MAX)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)

    _clean = field_validator("name", "power", mode="before")(required_text)


class Hero(HeroBase, table=True):
    # Heroes per team with their average level, from the index alone (the overview).
    __table_args__ = (sa.Index("ix_hero_team_id_level", "team_id", "level"), TABLE_ARGS)
    __mapper_args__ = versioned_mapper_args
    id: int | None = Field(default=None, primary_key=True)
    version: int = version_field()
    team: Optional["Team"] = Relationship(back_populates="heroes")


class HeroCreate(HeroBase):
    pass


class HeroRead(HeroBase):
    id: int
    version: int


class HeroUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    power: str | None = Field(default=None, min_length=1, max_length=POWER_MAX)
    level: int | None = Field(default=None, ge=LEVEL_MIN, le=LEVEL_MAX)
    team_id: int | None = None

    _clean = field_validator("name", "power", mode="before")(required_text)
    _level = field_validator("level", mode="before")(required_value)


# --- Item --------------------------------------------------------------------


class ItemBase(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX, index=True)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX, sa_type=long_text())
    price: float = Field(
        ge=0, le=PRICE_MAX, index=True, sa_type=sa.Double(), schema_extra=shown_with(decimals=2)
    )
    in_stock: bool = True

    _clean = field_validator("name", mode="before")(required_text)
    _description = field_validator("description", mode="before")(optional_text)
    _price = field_validator("price", mode="before")(finite_price)


class Item(ItemBase, table=True):
    __table_args__ = TABLE_ARGS
    __mapper_args__ = versioned_mapper_args
    id: int | None = Field(default=None, primary_key=True)
    version: int = version_field()


class ItemCreate(ItemBase):
    pass


class ItemRead(ItemBase):
    id: int
    version: int


class ItemUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    price: float | None = Field(default=None, ge=0, le=PRICE_MAX)
    in_stock: bool | None = None

    _clean = field_validator("name", mode="before")(required_text)
    _description = field_validator("description", mode="before")(optional_text)
    _price = field_validator("price", mode="before")(finite_price)
    _in_stock = field_validator("in_stock", mode="before")(required_value)


# --- User --------------------------------------------------------------------


class UserBase(SQLModel):
    username: str = Field(min_length=1, max_length=USERNAME_MAX, unique=True, index=True)
    email: str = Field(min_length=3, max_length=EMAIL_MAX, unique=True)

    _clean = field_validator("username", mode="before")(required_text)
    _email = field_validator("email", mode="before")(normalized_email)


class User(UserBase, table=True):
    __table_args__ = TABLE_ARGS
    __mapper_args__ = versioned_mapper_args
    id: int | None = Field(default=None, primary_key=True)
    version: int = version_field()
    tasks: list["Task"] = Relationship(back_populates="owner")


class UserCreate(UserBase):
    pass


class UserRead(UserBase):
    id: int
    version: int


class UserUpdate(SQLModel):
    username: str | None = Field(default=None, min_length=1, max_length=USERNAME_MAX)
    email: str | None = Field(default=None, min_length=3, max_length=EMAIL_MAX)

    _clean = field_validator("username", mode="before")(required_text)
    _email = field_validator("email", mode="before")(normalized_email)


# --- Task --------------------------------------------------------------------


class TaskBase(SQLModel):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX, sa_type=long_text())
    status: TaskStatus = Field(default=TaskStatus.todo, sa_type=STATUS_TYPE)

    _clean = field_validator("title", mode="before")(required_text)
    _description = field_validator("description", mode="before")(optional_text)


class Task(TaskBase, table=True):
    # Every list sorts "column, id": these page a million tasks in that order, also filtered by status.
    __table_args__ = (
        sa.Index("ix_task_title_id", "title", "id"),
        sa.Index("ix_task_status_id", "status", "id"),
        sa.Index("ix_task_created_at_id", "created_at", "id"),
        sa.Index("ix_task_owner_id_id", "owner_id", "id"),
        sa.Index("ix_task_status_created_at_id", "status", "created_at", "id"),
        # The overview's charts and filter counts: tasks by owner and status, done per week.
        sa.Index("ix_task_status_owner_id", "status", "owner_id"),
        sa.Index("ix_task_status_completed_at", "status", "completed_at"),
        TABLE_ARGS,
    )
    __mapper_args__ = versioned_mapper_args
    id: int | None = Field(default=None, primary_key=True)
    version: int = version_field()
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcTimestamp())
    # When the status last became done; None for a task not done, or done before this was recorded.
    completed_at: datetime | None = Field(default=None, sa_type=UtcTimestamp())
    owner_id: int = Field(foreign_key="user.id")
    owner: Optional["User"] = Relationship(back_populates="tasks")


@sa.event.listens_for(Task, "before_insert")
def _stamp_new_task(_mapper: Any, _connection: Any, task: Task) -> None:
    """A task made done is completed now (unless it says when); one not done is not completed."""
    if task.status == TaskStatus.done:
        task.completed_at = task.completed_at or utc_now()
    else:
        task.completed_at = None


@sa.event.listens_for(Task, "before_update")
def _stamp_status_change(_mapper: Any, _connection: Any, task: Task) -> None:
    """Becoming done sets completed_at, leaving done clears it; other edits leave it alone."""
    if sa.inspect(task).attrs.status.history.has_changes():
        task.completed_at = utc_now() if task.status == TaskStatus.done else None


class TaskCreate(TaskBase):
    owner_id: int


class TaskRead(TaskBase):
    id: int
    created_at: datetime
    completed_at: datetime | None = None
    owner_id: int
    version: int


class TaskUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    status: TaskStatus | None = None
    owner_id: int | None = None

    _clean = field_validator("title", mode="before")(required_text)
    _description = field_validator("description", mode="before")(optional_text)
    _required = field_validator("status", "owner_id", mode="before")(required_value)


# --- change log --------------------------------------------------------------

# What other clients changed, for watchers on MariaDB, which has no NOTIFY: written by triggers
# (revision 0006), read by id. Present but unused on SQLite and PostgreSQL, so the schema is one.
change_log = sa.Table(
    "change_log",
    SQLModel.metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("entity", sa.String(40), nullable=False),
    sa.Column("row_id", sa.BigInteger(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=True),
    sa.Column("operation", sa.String(10), nullable=False),
    sa.Column("connection_id", sa.BigInteger(), nullable=True),
    **{key: value for key, value in TABLE_ARGS.items() if key != "sqlite_autoincrement"},
)
