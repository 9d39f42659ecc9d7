"""Which columns an entity has in a file, and which field a file's column header means.

Everything is read from the registry and the schemas, so a field added to a model (and its Read
schema) is exported and imported without being listed here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from desktop.store import ENTITIES, Entity, Reference

INTERNAL_FIELDS = frozenset({"version"})  # bookkeeping of the database, not data people exchange
ENTITY_ARGUMENTS = {entity.plural: entity.name for entity in ENTITIES.values()}  # "tasks" -> "task"


def entity_named(plural_or_name: str) -> Entity:
    name = ENTITY_ARGUMENTS.get(plural_or_name.lower(), plural_or_name.lower())
    try:
        return ENTITIES[name]
    except KeyError:
        known = ", ".join(ENTITY_ARGUMENTS)
        raise ValueError(f"{plural_or_name!r} is not one of {known}") from None


def export_columns(entity: Entity) -> list[str]:
    """id first, then the Read schema's fields, each reference's name right after its id."""
    names = [
        "id",
        *(name for name in entity.read.model_fields if name != "id" and name not in INTERNAL_FIELDS),
    ]
    for reference in entity.references:
        names.insert(names.index(reference.field) + 1, reference.label_key)
    return names


def extra_fields(entity: Entity) -> list[str]:
    """Columns a file may set beyond the Create schema (a task's created_at): stored, not computed."""
    create = entity.create.model_fields
    return [
        name
        for name in entity.read.model_fields
        if name not in create and name != "id" and name not in INTERNAL_FIELDS
    ]


def import_fields(entity: Entity) -> list[str]:
    """Every target a file's column may map to: the Create fields, the extras, the reference names."""
    names = [*entity.create.model_fields, *extra_fields(entity)]
    for reference in entity.references:
        names.insert(names.index(reference.field) + 1, reference.label_key)
    return names


def reference_by_name(entity: Entity, key: str) -> Reference | None:
    return next((reference for reference in entity.references if reference.label_key == key), None)


def field_label(entity: Entity, name: str) -> str:
    """A field's title in its schema, else its name in words ("owner_id" -> "Owner id")."""
    info = entity.read.model_fields.get(name) or entity.create.model_fields.get(name)
    if info is not None and info.title:
        return info.title
    return name.replace("_", " ").capitalize()


def _normalized(header: str) -> str:
    return " ".join(header.strip().lower().replace("_", " ").replace("-", " ").split())


def match_columns(entity: Entity, headers: Sequence[str]) -> list[str | None]:
    """For each header, the field it names (by field name or label, any case), or None: skipped.

    A field named by two headers takes the first; the later one is skipped.
    """
    targets: dict[str, str] = {}
    for name in ["id", *import_fields(entity)]:
        for spelling in (name, field_label(entity, name)):
            targets.setdefault(_normalized(spelling), name)
    matched: list[str | None] = []
    taken: set[str] = set()
    for header in headers:
        target = targets.get(_normalized(str(header or "")))
        if target is None or target in taken:
            matched.append(None)
            continue
        taken.add(target)
        matched.append(target)
    return matched


def unmatched(headers: Iterable[str], mapping: Sequence[str | None]) -> list[str]:
    return [str(header) for header, target in zip(headers, mapping, strict=True) if target is None]
