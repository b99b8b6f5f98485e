"""Scope matrices: read effective scopes, set one cell, bulk changes, grant files, findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from intsec_desktop.core import validation
from intsec_desktop.core.errors import ConflictError, ValidationError
from intsec_desktop.core.lazy import lazy_import
from intsec_desktop.core.model import Integration
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.scope_catalog import ALL, Catalog, ScopeAction, Tag, builtin_catalog
from intsec_desktop.core.services._base import SessionBase
from intsec_desktop.core.vault import repository as repo
from intsec_desktop.core.vault.database import Connection

if TYPE_CHECKING:
    from intsec_desktop.core import scopes
    from intsec_desktop.core.scopes import CellDiff, Effect, Finding, Grant, Matrix, Preset
    from intsec_desktop.core.vault import scopes_repo
else:  # resolving matrices and grant files loads with the first use of scopes
    lazy_import(globals(), "intsec_desktop.core", "scopes")
    lazy_import(globals(), "intsec_desktop.core.scopes", "Effect", "Grant", "Preset")
    lazy_import(globals(), "intsec_desktop.core.vault", "scopes_repo")

INHERIT = "inherit"
_LISTED = 100  # grants named one by one in an audit event; beyond that, counts only


@dataclass(frozen=True, slots=True)
class ScopeView:
    """Everything the editor shows for one integration, resolved once."""

    integration: Integration
    catalog: Catalog
    grants: tuple[Grant, ...]
    customers: tuple[str, ...]
    default: Matrix
    matrices: dict[str, Matrix]
    _explicit: dict[tuple[str | None, str, str, ScopeAction], str] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # explicit() is asked per painted cell: an index instead of a scan over every grant.
        index = {(g.customer, g.model, g.field, g.action): g.effect.value for g in self.grants}
        object.__setattr__(self, "_explicit", index)

    def matrix(self, customer: str | None) -> Matrix:
        return self.default if customer is None else self.matrices[customer]

    def explicit(self, customer: str | None, model: str, field: str, action: ScopeAction) -> str:
        """The grant set at exactly this level and target: allow, deny or inherit."""
        return self._explicit.get((customer, model, field, action), INHERIT)

    def with_grant(
        self, customer: str | None, model: str, field: str, action: ScopeAction, effect: str
    ) -> ScopeView:
        """This view after one set_scope call succeeded: re-resolves only what it can change
        (one customer, or everyone when the default changed)."""
        cell = (customer, model, field, action)
        kept = tuple(g for g in self.grants if (g.customer, g.model, g.field, g.action) != cell)
        new = _effect(effect)
        if new is not None:
            kept += (Grant(customer, model, field, action, new),)
        if customer is None:
            default = scopes.default_matrix(self.catalog, kept)
            matrices = scopes.resolve_all(self.catalog, kept, self.customers)
        else:
            default = self.default
            matrices = dict(self.matrices)
            matrices[customer] = scopes.customer_matrix(self.catalog, kept, customer, default)
        return ScopeView(self.integration, self.catalog, kept, self.customers, default, matrices)


def _effect(value: str) -> Effect | None:
    if value == INHERIT:
        return None
    return validation.choice(Effect, value, "effect")


def _listed(grants: Sequence[Grant]) -> object:
    if len(grants) <= _LISTED:
        return [g.describe() for g in grants]
    return f"{len(grants)} grants"


class ScopeServices(SessionBase):
    # --- reads ----------------------------------------------------------------------------

    def _catalog(self, conn: Connection, integration: Integration) -> Catalog:
        base = builtin_catalog(integration.category.value)
        return base.with_custom_fields(scopes_repo.custom_fields(conn, integration.id))

    def scope_catalog(self, integration: str) -> Catalog:
        require(self.member, Action.VIEW_METADATA)
        return self._catalog(self._conn, repo.integration_by_slug(self._conn, integration))

    def scope_grants(self, integration: str) -> list[Grant]:
        require(self.member, Action.VIEW_METADATA)
        item = repo.integration_by_slug(self._conn, integration)
        return scopes_repo.grants(self._conn, item.id)

    def scope_view(self, integration: str) -> ScopeView:
        require(self.member, Action.VIEW_METADATA)
        conn = self._conn
        item = repo.integration_by_slug(conn, integration)
        catalog = self._catalog(conn, item)
        grants = tuple(scopes_repo.grants(conn, item.id))
        customers = tuple(c.slug for c in repo.customers(conn))
        default = scopes.default_matrix(catalog, grants)
        matrices = scopes.resolve_all(catalog, grants, customers)
        return ScopeView(item, catalog, grants, customers, default, matrices)

    def effective_scopes(self, integration: str, customer: str | None = None) -> Matrix:
        require(self.member, Action.VIEW_METADATA)
        catalog = self.scope_catalog(integration)
        grants = self.scope_grants(integration)
        if customer is None:
            return scopes.default_matrix(catalog, grants)
        repo.customer_by_slug(self._conn, customer)
        return scopes.customer_matrix(catalog, grants, customer)

    def scope_findings(self, integration: str | None = None) -> list[Finding]:
        require(self.member, Action.VIEW_METADATA)
        conn = self._conn
        items = (
            [repo.integration_by_slug(conn, integration)]
            if integration
            else repo.integrations(conn)
        )
        customers = [c.slug for c in repo.customers(conn)]
        out: list[Finding] = []
        for item in items:
            out += scopes.findings(
                item.slug,
                item.method,
                self._catalog(conn, item),
                scopes_repo.grants(conn, item.id),
                customers,
            )
        return out

    def scope_diff(
        self, integration: str, customer: str, other: str | None = None
    ) -> list[CellDiff]:
        """`customer` against `other` (another customer) or, without one, the default."""
        require(self.member, Action.VIEW_METADATA)
        catalog = self.scope_catalog(integration)
        grants = self.scope_grants(integration)
        for slug in (customer, other):
            if slug is not None:
                repo.customer_by_slug(self._conn, slug)
        base = (
            scopes.default_matrix(catalog, grants)
            if other is None
            else scopes.customer_matrix(catalog, grants, other)
        )
        return scopes.diff(base, scopes.customer_matrix(catalog, grants, customer))

    def scope_file_diff(
        self, text: str, source_name: str
    ) -> dict[str, dict[str | None, list[CellDiff]]]:
        """Vault (before) against a committed grant file (after), per integration in the file."""
        require(self.member, Action.VIEW_METADATA)
        wanted = scopes.parse_grant_file(text, source_name, self.scope_catalog)
        customers = [c.slug for c in repo.customers(self._conn)]
        out: dict[str, dict[str | None, list[CellDiff]]] = {}
        for slug, grants in wanted.items():
            diffs = scopes.diff_grant_sets(
                self.scope_catalog(slug), self.scope_grants(slug), grants, customers
            )
            if diffs:
                out[slug] = diffs
        return out

    def export_scopes(self, integrations: Sequence[str] | None = None) -> str:
        require(self.member, Action.VIEW_METADATA)
        slugs = (
            list(integrations) if integrations else [i.slug for i in repo.integrations(self._conn)]
        )
        return scopes.render_grant_file({s: self.scope_grants(s) for s in slugs})

    # --- writes ---------------------------------------------------------------------------

    def _customer_id(self, conn: Connection, customer: str | None) -> int | None:
        return None if customer is None else repo.customer_by_slug(conn, customer).id

    def set_scope(
        self,
        integration: str,
        customer: str | None,
        model: str,
        field: str,
        action: str,
        effect: str,
    ) -> tuple[str, str]:
        """Set one grant (allow, deny) or remove it (inherit); returns (before, after)."""
        require(self.member, Action.EDIT_SCOPES)
        act = validation.choice(ScopeAction, action, "action")
        new = _effect(effect)
        with self._transaction() as conn:
            item = repo.integration_by_slug(conn, integration)
            scopes.check_target(self._catalog(conn, item), model, field, act)
            cid = self._customer_id(conn, customer)
            old = scopes_repo.effect_of(conn, item.id, cid, model, field, act)
            before = old.value if old else INHERIT
            after = new.value if new else INHERIT
            if before == after:
                return before, after
            scopes_repo.set_effect(conn, item.id, cid, model, field, act, new, self._clock.now())
            self._audit(
                conn,
                "scope.set",
                f"scopes:{integration}",
                {
                    "customer": customer or ALL,
                    "cell": f"{model}.{field} {act.value}",
                    "before": before,
                    "after": after,
                },
            )
        return before, after

    def _replace_levels(
        self,
        conn: Connection,
        item: Integration,
        replacements: dict[str | None, list[Grant]],
    ) -> dict[str, object]:
        """Replace whole levels (default = None) and describe before → after per level."""
        current = scopes_repo.grants(conn, item.id)
        details: dict[str, object] = {}
        for customer, new in replacements.items():
            cid = self._customer_id(conn, customer)
            old = [g for g in current if g.customer == customer]
            scopes_repo.delete_level(conn, item.id, cid)
            scopes_repo.insert_many(conn, item.id, [(cid, g) for g in new], self._clock.now())
            details[customer or ALL] = {"before": _listed(old), "after": _listed(new)}
        return details

    def copy_scopes(self, integration: str, source: str, targets: Sequence[str]) -> int:
        """Give each target customer exactly the source customer's overrides."""
        require(self.member, Action.EDIT_SCOPES)
        if not targets:
            raise ValidationError("name at least one customer to copy to", "customers")
        if source in targets:
            raise ConflictError(f"cannot copy {source!r} onto itself")
        with self._transaction() as conn:
            item = repo.integration_by_slug(conn, integration)
            repo.customer_by_slug(conn, source)
            own = [g for g in scopes_repo.grants(conn, item.id) if g.customer == source]
            plan: dict[str | None, list[Grant]] = {
                t: [Grant(t, g.model, g.field, g.action, g.effect) for g in own] for t in targets
            }
            details = self._replace_levels(conn, item, plan)
            self._audit(
                conn, "scopes.copied", f"scopes:{integration}", {"from": source, "levels": details}
            )
        return len(targets)

    def reset_scopes(self, integration: str, customers: Sequence[str]) -> int:
        """Drop the customers' overrides: they inherit the default again."""
        require(self.member, Action.EDIT_SCOPES)
        if not customers:
            raise ValidationError("name at least one customer to reset", "customers")
        with self._transaction() as conn:
            item = repo.integration_by_slug(conn, integration)
            details = self._replace_levels(conn, item, {c: [] for c in customers})
            self._audit(conn, "scopes.reset", f"scopes:{integration}", {"levels": details})
        return len(customers)

    def apply_scope_preset(
        self, integration: str, preset: str, customers: Sequence[str | None]
    ) -> int:
        """Replace each level (None = the default) with the preset's grants."""
        require(self.member, Action.EDIT_SCOPES)
        chosen = validation.choice(Preset, preset, "preset")
        if not customers:
            raise ValidationError("name at least one customer (or the default)", "customers")
        with self._transaction() as conn:
            item = repo.integration_by_slug(conn, integration)
            catalog = self._catalog(conn, item)
            plan = {c: scopes.preset_grants(catalog, chosen, c) for c in customers}
            details = self._replace_levels(conn, item, plan)
            self._audit(
                conn,
                "scopes.preset_applied",
                f"scopes:{integration}",
                {"preset": chosen.value, "levels": details},
            )
        return len(customers)

    def apply_scope_file(self, text: str, source_name: str) -> dict[str, tuple[int, int]]:
        """Make each integration named in the file hold exactly the file's grants: validated
        first, then applied in one transaction; returns slug -> (grants before, after)."""
        require(self.member, Action.EDIT_SCOPES)
        wanted = scopes.parse_grant_file(text, source_name, self.scope_catalog)
        counts: dict[str, tuple[int, int]] = {}
        with self._transaction() as conn:
            for slug, grants in wanted.items():
                item = repo.integration_by_slug(conn, slug)
                cids = {g.customer: self._customer_id(conn, g.customer) for g in grants}
                before = scopes_repo.delete_all(conn, item.id)
                scopes_repo.insert_many(
                    conn, item.id, [(cids[g.customer], g) for g in grants], self._clock.now()
                )
                counts[slug] = (before, len(scopes_repo.grants(conn, item.id)))
            self._audit(
                conn,
                "scopes.applied",
                "scopes:file",
                {
                    "file": source_name,
                    "integrations": {s: {"before": b, "after": a} for s, (b, a) in counts.items()},
                },
            )
        return counts

    def add_scope_field(
        self, integration: str, model: str, field: str, tags: Sequence[str] = ()
    ) -> None:
        """An integration-specific field on one of its catalog's models."""
        require(self.member, Action.EDIT_SCOPES)
        if not field.isidentifier():
            raise ValidationError(f"field name {field!r} is not an identifier", "field")
        tag_set = frozenset(validation.choice(Tag, t, "tag") for t in tags)
        with self._transaction() as conn:
            item = repo.integration_by_slug(conn, integration)
            spec = self._catalog(conn, item).model(model)
            if any(f.name == field for f in spec.fields):
                raise ConflictError(f"{model}.{field} already exists in this catalog")
            scopes_repo.add_custom_field(conn, item.id, model, field, tag_set)
            self._audit(
                conn,
                "scope.field_added",
                f"scopes:{integration}",
                {"field": f"{model}.{field}", "tags": sorted(t.value for t in tag_set)},
            )
