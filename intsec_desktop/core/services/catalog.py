"""Integrations and customers: add, edit, remove, list."""

from __future__ import annotations

import dataclasses

from intsec_desktop.core import validation
from intsec_desktop.core.errors import (
    ConflictError,
)
from intsec_desktop.core.model import (
    Category,
    ComplianceEvidence,
    Customer,
    Integration,
    Method,
    Region,
)
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.services._base import SessionBase, _changes
from intsec_desktop.core.vault import repository as repo
from intsec_desktop.core.vault.database import Connection


class CatalogServices(SessionBase):
    def list_integrations(self) -> list[Integration]:
        require(self.member, Action.VIEW_METADATA)
        return repo.integrations(self._conn)

    def get_integration(self, slug: str) -> Integration:
        require(self.member, Action.VIEW_METADATA)
        return repo.integration_by_slug(self._conn, slug)

    def add_integration(
        self,
        slug: str,
        name: str,
        category: str,
        method: str,
        vendor: str = "",
        base_urls: dict[str, str] | None = None,
        compliance: ComplianceEvidence | None = None,
        rotation_steps: str = "",
        console_url: str = "",
    ) -> Integration:
        require(self.member, Action.WRITE)
        item = Integration(
            id=0,
            slug=validation.slug(slug),
            name=validation.display_text(name, "name"),
            category=validation.choice(Category, category, "category"),
            method=validation.choice(Method, method, "method"),
            vendor=validation.display_text(vendor, "vendor", required=False),
            base_urls=validation.base_urls(base_urls or {}),
            compliance=compliance or ComplianceEvidence(),
            rotation_steps=validation.notes(rotation_steps),
            console_url=validation.optional_https_url(console_url, "console_url"),
        )
        with self._transaction() as conn:
            if repo_exists(conn, "integrations", item.slug):
                raise ConflictError(f"integration {item.slug!r} already exists")
            item = dataclasses.replace(
                item, id=repo.insert_integration(conn, item, self._clock.now())
            )
            self._audit(
                conn,
                "integration.added",
                f"integration:{item.slug}",
                {"name": item.name, "category": item.category.value, "method": item.method.value},
            )
        return item

    def edit_integration(
        self,
        slug: str,
        *,
        name: str | None = None,
        category: str | None = None,
        method: str | None = None,
        vendor: str | None = None,
        base_urls: dict[str, str] | None = None,
        compliance: ComplianceEvidence | None = None,
        rotation_steps: str | None = None,
        console_url: str | None = None,
    ) -> Integration:
        require(self.member, Action.WRITE)
        with self._transaction() as conn:
            before = repo.integration_by_slug(conn, slug)
            after = dataclasses.replace(
                before,
                name=validation.display_text(name, "name") if name is not None else before.name,
                category=validation.choice(Category, category, "category")
                if category is not None
                else before.category,
                method=validation.choice(Method, method, "method")
                if method is not None
                else before.method,
                vendor=validation.display_text(vendor, "vendor", required=False)
                if vendor is not None
                else before.vendor,
                base_urls=validation.base_urls(base_urls)
                if base_urls is not None
                else before.base_urls,
                compliance=compliance if compliance is not None else before.compliance,
                rotation_steps=validation.notes(rotation_steps)
                if rotation_steps is not None
                else before.rotation_steps,
                console_url=validation.optional_https_url(console_url, "console_url")
                if console_url is not None
                else before.console_url,
            )
            repo.update_integration(conn, after, self._clock.now())
            self._audit(conn, "integration.edited", f"integration:{slug}", _changes(before, after))
        return after

    def remove_integration(self, slug: str) -> None:
        require(self.member, Action.WRITE)
        with self._transaction() as conn:
            item = repo.integration_by_slug(conn, slug)
            used = repo.count_credentials_of_integration(conn, item.id)
            if used:
                raise ConflictError(
                    f"integration {slug!r} still has {used} credential(s); remove them first"
                )
            repo.delete_integration(conn, item.id)
            self._audit(conn, "integration.removed", f"integration:{slug}", {"name": item.name})

    # --- customers ----------------------------------------------------------------------

    def list_customers(self) -> list[Customer]:
        require(self.member, Action.VIEW_METADATA)
        return repo.customers(self._conn)

    def get_customer(self, slug: str) -> Customer:
        require(self.member, Action.VIEW_METADATA)
        return repo.customer_by_slug(self._conn, slug)

    def add_customer(self, slug: str, name: str, region: str) -> Customer:
        require(self.member, Action.WRITE)
        item = Customer(
            id=0,
            slug=validation.slug(slug),
            name=validation.display_text(name, "name"),
            region=validation.choice(Region, region, "region"),
        )
        with self._transaction() as conn:
            if repo_exists(conn, "customers", item.slug):
                raise ConflictError(f"customer {item.slug!r} already exists")
            item = dataclasses.replace(item, id=repo.insert_customer(conn, item, self._clock.now()))
            self._audit(
                conn,
                "customer.added",
                f"customer:{item.slug}",
                {"name": item.name, "region": item.region.value},
            )
        return item

    def edit_customer(
        self, slug: str, *, name: str | None = None, region: str | None = None
    ) -> Customer:
        require(self.member, Action.WRITE)
        with self._transaction() as conn:
            before = repo.customer_by_slug(conn, slug)
            after = dataclasses.replace(
                before,
                name=validation.display_text(name, "name") if name is not None else before.name,
                region=validation.choice(Region, region, "region")
                if region is not None
                else before.region,
            )
            repo.update_customer(conn, after, self._clock.now())
            self._audit(conn, "customer.edited", f"customer:{slug}", _changes(before, after))
        return after

    def remove_customer(self, slug: str) -> None:
        require(self.member, Action.WRITE)
        with self._transaction() as conn:
            item = repo.customer_by_slug(conn, slug)
            used = repo.count_credentials_of_customer(conn, item.id)
            if used:
                raise ConflictError(
                    f"customer {slug!r} still has {used} credential(s); remove them first"
                )
            repo.delete_customer(conn, item.id)
            self._audit(conn, "customer.removed", f"customer:{slug}", {"name": item.name})


def repo_exists(conn: Connection, table: str, slug: str) -> bool:
    return bool(conn.execute(f"SELECT 1 FROM {table} WHERE slug = ?", (slug,)).fetchone())
