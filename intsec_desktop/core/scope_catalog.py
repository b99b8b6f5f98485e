"""Scope catalogs: per category, the data models, their fields, sensitivity tags and actions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from intsec_desktop.core import paths
from intsec_desktop.core import scope_yaml as sy
from intsec_desktop.core.errors import ValidationError

ALL = "*"  # a grant on every field of a model, or on every customer


class ScopeAction(StrEnum):
    READ = "read"
    WRITE = "write"


class Tag(StrEnum):
    PII = "pii"
    FINANCIAL = "financial"
    SENSITIVE = "sensitive"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    tags: frozenset[Tag] = frozenset()
    custom: bool = False  # added by one integration, not part of the shipped catalog

    @property
    def is_sensitive(self) -> bool:
        return bool(self.tags)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    actions: frozenset[ScopeAction]
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise ValidationError(
            f"unknown field {self.name}.{name}{_closest(name, (f.name for f in self.fields))}",
            "field",
        )


@dataclass(frozen=True, slots=True)
class Catalog:
    category: str
    models: tuple[ModelSpec, ...]
    _index: dict[str, ModelSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({m.name: m for m in self.models})

    def model(self, name: str) -> ModelSpec:
        found = self._index.get(name)
        if found is None:
            raise ValidationError(
                f"unknown model {name!r} in the {self.category} catalog"
                f"{_closest(name, self._index)}",
                "model",
            )
        return found

    def cells(self) -> Iterator[tuple[str, str, ScopeAction]]:
        """Every (model, field, action) the catalog supports, in catalog order."""
        for m in self.models:
            for f in m.fields:
                for a in ScopeAction:
                    if a in m.actions:
                        yield m.name, f.name, a

    def with_custom_fields(self, extra: Iterable[tuple[str, str, frozenset[Tag]]]) -> Catalog:
        """This catalog plus an integration's own fields (model must exist in the catalog)."""
        added: dict[str, list[FieldSpec]] = {}
        for model, name, tags in extra:
            added.setdefault(model, []).append(FieldSpec(name, tags, custom=True))
        if not added:
            return self
        models = []
        for m in self.models:
            known = {f.name for f in m.fields}
            more = tuple(f for f in added.get(m.name, []) if f.name not in known)
            models.append(ModelSpec(m.name, m.actions, m.fields + more))
        return Catalog(self.category, tuple(models))


def _closest(name: str, candidates: Iterable[str]) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    return f" (did you mean {match[0]!r}?)" if match else ""


def parse_catalog(text: str, source_name: str) -> Catalog:
    """Validate one catalog document; every problem is reported as "file:line: message"."""
    src = sy.YamlSource(source_name)
    root = sy.mapping(sy.load(text, src), src, "a catalog")
    sy.only_keys(root, {"category", "models"}, src, "the catalog")
    if "category" not in root or "models" not in root:
        raise src.error(1, "a catalog needs 'category' and 'models'")
    category = sy.text(root["category"], src, "category")
    models: list[ModelSpec] = []
    for model_name, item in sy.mapping(root["models"], src, "models").items():
        if not model_name.isidentifier():
            raise src.error(item.line, f"model name {model_name!r} is not an identifier")
        body = sy.mapping(item, src, f"model {model_name}")
        sy.only_keys(body, {"actions", "fields"}, src, f"model {model_name}")
        if "actions" not in body or "fields" not in body:
            raise src.error(item.line, f"model {model_name} needs 'actions' and 'fields'")
        actions: set[ScopeAction] = set()
        for a in sy.sequence(body["actions"], src, "actions"):
            value = sy.text(a, src, "an action")
            if value not in ScopeAction.__members__.values():
                raise src.error(a.line, f"unknown action {value!r} (read or write)")
            actions.add(ScopeAction(value))
        if ScopeAction.READ not in actions:
            raise src.error(body["actions"].line, f"model {model_name} must support read")
        fields: list[FieldSpec] = []
        for field_name, tags_item in sy.mapping(body["fields"], src, "fields").items():
            if not field_name.isidentifier():
                raise src.error(tags_item.line, f"field name {field_name!r} is not an identifier")
            tags: set[Tag] = set()
            for t in sy.sequence(tags_item, src, f"tags of {model_name}.{field_name}"):
                value = sy.text(t, src, "a tag")
                if value not in Tag.__members__.values():
                    raise src.error(
                        t.line, f"unknown tag {value!r}{_closest(value, (x.value for x in Tag))}"
                    )
                tags.add(Tag(value))
            fields.append(FieldSpec(field_name, frozenset(tags)))
        if not fields:
            raise src.error(item.line, f"model {model_name} has no fields")
        models.append(ModelSpec(model_name, frozenset(actions), tuple(fields)))
    if not models:
        raise src.error(root["models"].line, "the catalog has no models")
    return Catalog(category, tuple(models))


@cache
def builtin_catalog(category: str) -> Catalog:
    """The shipped catalog of a category; `custom` integrations start from an empty one."""
    if category == "custom":
        return Catalog("custom", ())
    name = f"{category}.yaml"
    try:
        text = (paths.resources_dir() / "catalogs" / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"no scope catalog for category {category!r}") from None
    return parse_catalog(text, f"catalogs/{name}")


def builtin_categories() -> list[str]:
    return sorted(p.stem for p in (paths.resources_dir() / "catalogs").glob("*.yaml"))
