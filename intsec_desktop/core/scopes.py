"""Scope matrices: grants, effective resolution with provenance, diffs, findings and presets.

Precedence for one cell (model, field, action) of one customer, first match wins:
the customer's field grant, the customer's model grant (`Model.*`), the integration default's
field grant, the default's model grant, and finally the catalog (not granted). At one level,
deny beats allow. Pure functions: no storage, no clock, no Qt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intsec_desktop.core.lazy import lazy_module

if TYPE_CHECKING:
    import yaml
else:
    yaml = lazy_module("yaml")

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from intsec_desktop.core import scope_yaml as sy
from intsec_desktop.core.errors import IntsecError, ValidationError
from intsec_desktop.core.model import Method
from intsec_desktop.core.scope_catalog import ALL, Catalog, ScopeAction, Tag

SCHEMA = "intsec.scopes/v1"


class Effect(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


class Source(StrEnum):
    CATALOG = "catalog"  # nothing granted anywhere: not allowed
    DEFAULT = "default"  # the integration-wide default decides
    OVERRIDE = "override"  # this customer's own grant decides


class Preset(StrEnum):
    MINIMAL = "minimal"  # read fields without any sensitivity tag
    STANDARD = "standard"  # read everything except fields tagged sensitive
    FULL = "full"  # read and write everything the catalog supports


@dataclass(frozen=True, slots=True)
class Grant:
    customer: str | None  # None: the integration default, for every customer
    model: str
    field: str  # ALL: every field of the model
    action: ScopeAction
    effect: Effect

    @property
    def target(self) -> str:
        return f"{self.model}.{self.field}"

    def describe(self) -> str:
        who = self.customer or "default"
        return f"{who}: {self.target} {self.action.value} {self.effect.value}"


@dataclass(frozen=True, slots=True)
class Cell:
    allowed: bool
    source: Source
    grant: str = ""  # the grant that decided, e.g. "Employee.*"; "" when the catalog did

    def explain(self) -> str:
        verdict = "allowed" if self.allowed else "not allowed"
        if self.source is Source.CATALOG:
            return f"{verdict}: nothing granted (catalog)"
        where = "this customer's override" if self.source is Source.OVERRIDE else "the default"
        return f"{verdict} by {where} ({self.grant})"


Key = tuple[str, str, ScopeAction]
Matrix = dict[Key, Cell]
_NOT_GRANTED = Cell(False, Source.CATALOG)


@dataclass(frozen=True, slots=True)
class CellDiff:
    model: str
    field: str
    action: ScopeAction
    before: bool
    after: bool

    def describe(self) -> str:
        sign = "+" if self.after else "-"
        return f"{sign} {self.model}.{self.field} {self.action.value}"


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # write_without_read | sensitive_granted | wider_than_default | risky_method
    integration: str
    customer: str | None
    message: str

    def describe(self) -> str:
        who = f"/{self.customer}" if self.customer else ""
        return f"{self.integration}{who}: {self.kind}: {self.message}"


# --- validation -------------------------------------------------------------------------------


def check_target(catalog: Catalog, model: str, field: str, action: ScopeAction) -> None:
    """Unknown model or field (closest match named), or an action the model does not support."""
    spec = catalog.model(model)
    if field != ALL:
        spec.field(field)
    if action not in spec.actions:
        raise ValidationError(
            f"model {model} is read-only: {action.value} is not supported", "action"
        )


def parse_target(text: str) -> tuple[str, str]:
    """`Model` or `Model.*` (every field) or `Model.field`."""
    model, _, field = text.strip().partition(".")
    if not model:
        raise ValidationError(f"expected MODEL or MODEL.FIELD, not {text!r}", "target")
    return model, field or ALL


# --- resolution -------------------------------------------------------------------------------


def catalog_matrix(catalog: Catalog) -> Matrix:
    return {key: _NOT_GRANTED for key in catalog.cells()}


def _level(catalog: Catalog, grants: Iterable[Grant], source: Source, base: Matrix) -> Matrix:
    """The cells the grants of one level decide (deny wins between grants on the same target)."""
    wide: dict[tuple[str, ScopeAction], Effect] = {}
    narrow: dict[Key, Effect] = {}
    for g in grants:
        if g.field == ALL:
            k = (g.model, g.action)
            if wide.get(k) is not Effect.DENY:
                wide[k] = g.effect
        else:
            key = (g.model, g.field, g.action)
            if narrow.get(key) is not Effect.DENY:
                narrow[key] = g.effect
    decided: Matrix = {}
    for (model, action), effect in wide.items():
        try:
            spec = catalog.model(model)
        except ValidationError:
            continue  # a grant whose model left the catalog decides nothing
        cell = Cell(effect is Effect.ALLOW, source, f"{model}.{ALL}")
        for f in spec.fields:
            key = (model, f.name, action)
            if key in base:
                decided[key] = cell
    for key, effect in narrow.items():
        if key in base:
            decided[key] = Cell(effect is Effect.ALLOW, source, f"{key[0]}.{key[1]}")
    return decided


def split_by_customer(grants: Iterable[Grant]) -> tuple[list[Grant], dict[str, list[Grant]]]:
    default: list[Grant] = []
    per: dict[str, list[Grant]] = {}
    for g in grants:
        if g.customer is None:
            default.append(g)
        else:
            per.setdefault(g.customer, []).append(g)
    return default, per


def default_matrix(catalog: Catalog, grants: Iterable[Grant]) -> Matrix:
    base = catalog_matrix(catalog)
    default, _ = split_by_customer(grants)
    base.update(_level(catalog, default, Source.DEFAULT, base))
    return base


def customer_matrix(
    catalog: Catalog, grants: Iterable[Grant], customer: str, default: Matrix | None = None
) -> Matrix:
    """One customer's effective matrix; only that customer's grants and the default count."""
    grants = list(grants)
    base = default if default is not None else default_matrix(catalog, grants)
    own = [g for g in grants if g.customer == customer]
    matrix = dict(base)
    matrix.update(_level(catalog, own, Source.OVERRIDE, base))
    return matrix


def resolve_all(
    catalog: Catalog, grants: Iterable[Grant], customers: Sequence[str]
) -> dict[str, Matrix]:
    """Every customer's effective matrix (the default matrix is shared, overrides layered on)."""
    default_grants, per = split_by_customer(grants)
    base = catalog_matrix(catalog)
    base.update(_level(catalog, default_grants, Source.DEFAULT, base))
    result: dict[str, Matrix] = {}
    for customer in customers:
        own = per.get(customer)
        if not own:
            result[customer] = base
            continue
        matrix = dict(base)
        matrix.update(_level(catalog, own, Source.OVERRIDE, base))
        result[customer] = matrix
    return result


# --- diffs ------------------------------------------------------------------------------------


def diff(before: Matrix, after: Matrix) -> list[CellDiff]:
    """Cells whose allowed value differs (provenance alone is not a difference)."""
    changes = []
    for key, cell in after.items():
        old = before.get(key, _NOT_GRANTED).allowed
        if old != cell.allowed:
            changes.append(CellDiff(key[0], key[1], key[2], old, cell.allowed))
    for key, cell in before.items():
        if key not in after and cell.allowed:
            changes.append(CellDiff(key[0], key[1], key[2], True, False))
    return changes


def diff_grant_sets(
    catalog: Catalog, before: Iterable[Grant], after: Iterable[Grant], customers: Sequence[str]
) -> dict[str | None, list[CellDiff]]:
    """Default (key None) and each customer whose effective matrix differs between two states."""
    before, after = list(before), list(after)
    out: dict[str | None, list[CellDiff]] = {}
    d = diff(default_matrix(catalog, before), default_matrix(catalog, after))
    if d:
        out[None] = d
    a, b = resolve_all(catalog, before, customers), resolve_all(catalog, after, customers)
    for customer in customers:
        d = diff(a[customer], b[customer])
        if d:
            out[customer] = d
    return out


# --- least-privilege findings ----------------------------------------------------------------


def _sensitive(catalog: Catalog) -> dict[tuple[str, str], frozenset[Tag]]:
    return {(m.name, f.name): f.tags for m in catalog.models for f in m.fields if f.tags}


def _targets(cells: Iterable[Key]) -> str:
    names = sorted({f"{m}.{f}" for m, f, _ in cells})
    shown = ", ".join(names[:6])
    return shown + (f" and {len(names) - 6} more" if len(names) > 6 else "")


def findings(
    integration: str,
    method: Method,
    catalog: Catalog,
    grants: Iterable[Grant],
    customers: Sequence[str],
) -> list[Finding]:
    grants = list(grants)
    sensitive = _sensitive(catalog)
    default = default_matrix(catalog, grants)
    out: list[Finding] = []

    def check(matrix: Matrix, customer: str | None) -> None:
        allowed = [k for k, c in matrix.items() if c.allowed]
        if customer is not None:
            # A customer inheriting the default adds nothing the default finding did not say.
            allowed = [k for k in allowed if matrix[k].source is Source.OVERRIDE]
        blind = [
            k
            for k in allowed
            if k[2] is ScopeAction.WRITE and not matrix[(k[0], k[1], ScopeAction.READ)].allowed
        ]
        if blind:
            out.append(Finding("write_without_read", integration, customer, _targets(blind)))
        touchy = [k for k in allowed if (k[0], k[1]) in sensitive]
        if touchy:
            out.append(Finding("sensitive_granted", integration, customer, _targets(touchy)))
        if customer is not None:
            wider = [k for k in allowed if not default[k].allowed]
            if wider:
                out.append(Finding("wider_than_default", integration, customer, _targets(wider)))

    check(default, None)
    matrices = resolve_all(catalog, grants, customers)
    for customer in customers:
        if matrices[customer] is not default:
            check(matrices[customer], customer)
    if method.is_risky and any(
        c.allowed for m in [default, *matrices.values()] for c in m.values()
    ):
        out.append(
            Finding(
                "risky_method",
                integration,
                None,
                f"data flows through a {method.value} integration (no vendor API controls)",
            )
        )
    return out


# --- presets ----------------------------------------------------------------------------------


def preset_grants(catalog: Catalog, preset: Preset, customer: str | None) -> list[Grant]:
    out: list[Grant] = []
    for m in catalog.models:
        if preset is Preset.MINIMAL:
            out += [
                Grant(customer, m.name, f.name, ScopeAction.READ, Effect.ALLOW)
                for f in m.fields
                if not f.tags
            ]
        elif preset is Preset.STANDARD:
            out.append(Grant(customer, m.name, ALL, ScopeAction.READ, Effect.ALLOW))
            out += [
                Grant(customer, m.name, f.name, ScopeAction.READ, Effect.DENY)
                for f in m.fields
                if Tag.SENSITIVE in f.tags
            ]
        else:
            out += [Grant(customer, m.name, ALL, a, Effect.ALLOW) for a in sorted(m.actions)]
    return out


# --- grant files (apply / export) ----------------------------------------------------------


def parse_grant_file(
    text: str, source_name: str, catalog_for: Callable[[str], Catalog]
) -> dict[str, list[Grant]]:
    """integration slug -> its complete grant list. Every problem names file and line; a
    problem anywhere means nothing is returned (the caller applies all or nothing)."""
    src = sy.YamlSource(source_name)
    root = sy.mapping(sy.load(text, src), src, "a grant file")
    sy.only_keys(root, {"schema", "integrations"}, src, "the grant file")
    schema = root.get("schema")
    if schema is None or schema.value != SCHEMA:
        raise src.error(schema.line if schema else 1, f"expected 'schema: {SCHEMA}'")
    if "integrations" not in root:
        raise src.error(1, "a grant file needs 'integrations'")
    result: dict[str, list[Grant]] = {}
    for slug, item in sy.mapping(root["integrations"], src, "integrations").items():
        try:
            catalog = catalog_for(slug)
        except IntsecError as exc:
            raise src.error(item.line, str(exc)) from None
        body = sy.mapping(item, src, f"integration {slug}")
        sy.only_keys(body, {"default", "customers"}, src, f"integration {slug}")
        grants: list[Grant] = []
        if "default" in body:
            grants += _level_grants(body["default"], None, catalog, src)
        if "customers" in body:
            for customer, cust_item in sy.mapping(body["customers"], src, "customers").items():
                grants += _level_grants(cust_item, customer, catalog, src)
        result[slug] = grants
    return result


def _level_grants(
    item: sy.Located, customer: str | None, catalog: Catalog, src: sy.YamlSource
) -> list[Grant]:
    out: list[Grant] = []
    if item.value is None:
        return out
    for target, actions in sy.mapping(item, src, "grants").items():
        try:
            model, field = parse_target(target)
            for action_text, effect_item in sy.mapping(actions, src, target).items():
                effect_text = sy.text(effect_item, src, f"{target} {action_text}")
                if action_text not in ("read", "write"):
                    raise ValidationError(f"unknown action {action_text!r} (read or write)")
                if effect_text not in ("allow", "deny"):
                    raise ValidationError(f"unknown effect {effect_text!r} (allow or deny)")
                action = ScopeAction(action_text)
                check_target(catalog, model, field, action)
                out.append(Grant(customer, model, field, action, Effect(effect_text)))
        except ValidationError as exc:
            if str(exc).startswith(f"{src.name}:"):
                raise
            raise src.error(actions.line, str(exc)) from None
    return out


def render_grant_file(grants_by_integration: Mapping[str, Iterable[Grant]]) -> str:
    """Deterministic YAML (sorted keys, LF, trailing newline) that parse_grant_file reads back."""
    integrations: dict[str, object] = {}
    for slug, grants in sorted(grants_by_integration.items()):
        default: dict[str, dict[str, str]] = {}
        customers: dict[str, dict[str, dict[str, str]]] = {}
        for g in grants:
            level = default if g.customer is None else customers.setdefault(g.customer, {})
            level.setdefault(g.target, {})[g.action.value] = g.effect.value
        body: dict[str, object] = {}
        if default:
            body["default"] = default
        if customers:
            body["customers"] = customers
        integrations[slug] = body
    document = {"schema": SCHEMA, "integrations": integrations}
    text = yaml.safe_dump(document, sort_keys=True, default_flow_style=None, width=100)
    return "# Scope grants exported by intsec-desktop. Apply with `intsec scopes apply`.\n" + text
