"""SQL for integrations, customers, credentials and their sealed versions (no policy here)."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from intsec_desktop.core.errors import NotFoundError
from intsec_desktop.core.model import (
    Category,
    ComplianceEvidence,
    Credential,
    CredentialKind,
    CredentialVersion,
    Customer,
    Environment,
    Integration,
    Method,
    Region,
)
from intsec_desktop.core.timefmt import format_utc, parse_optional_utc, parse_utc
from intsec_desktop.core.vault.database import Connection, rows

# --- integrations -----------------------------------------------------------------------

_INTEGRATION_COLUMNS = (
    "id, slug, name, category, method, vendor, base_urls,"
    " soc2_type2_expires, iso27001_expires, gdpr_dpa_expires, rotation_steps, console_url"
)


def _integration(r: Sequence[Any]) -> Integration:
    return Integration(
        id=r[0],
        slug=r[1],
        name=r[2],
        category=Category(r[3]),
        method=Method(r[4]),
        vendor=r[5],
        base_urls=json.loads(r[6]),
        compliance=ComplianceEvidence(
            parse_optional_utc(r[7]), parse_optional_utc(r[8]), parse_optional_utc(r[9])
        ),
        rotation_steps=r[10],
        console_url=r[11],
    )


def integrations(conn: Connection) -> list[Integration]:
    return [
        _integration(r)
        for r in rows(conn, f"SELECT {_INTEGRATION_COLUMNS} FROM integrations ORDER BY slug")
    ]


def integration_by_slug(conn: Connection, slug: str) -> Integration:
    found = rows(conn, f"SELECT {_INTEGRATION_COLUMNS} FROM integrations WHERE slug = ?", (slug,))
    if not found:
        raise NotFoundError(f"no integration {slug!r}")
    return _integration(found[0])


def _optional(moment: datetime | None) -> str | None:
    return format_utc(moment) if moment else None


def insert_integration(conn: Connection, item: Integration, now: datetime) -> int:
    stamp = format_utc(now)
    cursor = conn.execute(
        "INSERT INTO integrations (slug, name, category, method, vendor, base_urls,"
        " soc2_type2_expires, iso27001_expires, gdpr_dpa_expires, rotation_steps, console_url,"
        " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            item.slug,
            item.name,
            item.category.value,
            item.method.value,
            item.vendor,
            json.dumps(item.base_urls, sort_keys=True),
            _optional(item.compliance.soc2_type2_expires),
            _optional(item.compliance.iso27001_expires),
            _optional(item.compliance.gdpr_dpa_expires),
            item.rotation_steps,
            item.console_url,
            stamp,
            stamp,
        ),
    )
    return int(cursor.lastrowid or 0)


def update_integration(conn: Connection, item: Integration, now: datetime) -> None:
    conn.execute(
        "UPDATE integrations SET name=?, category=?, method=?, vendor=?, base_urls=?,"
        " soc2_type2_expires=?, iso27001_expires=?, gdpr_dpa_expires=?, rotation_steps=?,"
        " console_url=?, updated_at=? WHERE id=?",
        (
            item.name,
            item.category.value,
            item.method.value,
            item.vendor,
            json.dumps(item.base_urls, sort_keys=True),
            _optional(item.compliance.soc2_type2_expires),
            _optional(item.compliance.iso27001_expires),
            _optional(item.compliance.gdpr_dpa_expires),
            item.rotation_steps,
            item.console_url,
            format_utc(now),
            item.id,
        ),
    )


def delete_integration(conn: Connection, integration_id: int) -> None:
    conn.execute("DELETE FROM integrations WHERE id = ?", (integration_id,))


def count_credentials_of_integration(conn: Connection, integration_id: int) -> int:
    return int(
        rows(conn, "SELECT count(*) FROM credentials WHERE integration_id = ?", (integration_id,))[
            0
        ][0]
    )


# --- customers --------------------------------------------------------------------------


def _customer(r: Sequence[Any]) -> Customer:
    return Customer(id=r[0], slug=r[1], name=r[2], region=Region(r[3]))


def customers(conn: Connection) -> list[Customer]:
    return [
        _customer(r)
        for r in rows(conn, "SELECT id, slug, name, region FROM customers ORDER BY slug")
    ]


def customer_by_slug(conn: Connection, slug: str) -> Customer:
    found = rows(conn, "SELECT id, slug, name, region FROM customers WHERE slug = ?", (slug,))
    if not found:
        raise NotFoundError(f"no customer {slug!r}")
    return _customer(found[0])


def insert_customer(conn: Connection, item: Customer, now: datetime) -> int:
    stamp = format_utc(now)
    cursor = conn.execute(
        "INSERT INTO customers (slug, name, region, created_at, updated_at) VALUES (?,?,?,?,?)",
        (item.slug, item.name, item.region.value, stamp, stamp),
    )
    return int(cursor.lastrowid or 0)


def update_customer(conn: Connection, item: Customer, now: datetime) -> None:
    conn.execute(
        "UPDATE customers SET name=?, region=?, updated_at=? WHERE id=?",
        (item.name, item.region.value, format_utc(now), item.id),
    )


def delete_customer(conn: Connection, customer_id: int) -> None:
    conn.execute("DELETE FROM customers WHERE id = ?", (customer_id,))


def count_credentials_of_customer(conn: Connection, customer_id: int) -> int:
    return int(
        rows(conn, "SELECT count(*) FROM credentials WHERE customer_id = ?", (customer_id,))[0][0]
    )


# --- credentials ------------------------------------------------------------------------

# When a member who could read a value lost access (members issue); NULL otherwise.
_REQUIRED_SINCE = "(SELECT r.since FROM rotation_required r WHERE r.credential_id = c.id)"
_CREDENTIAL_SELECT = (
    "SELECT c.id, i.slug, cu.slug, c.environment, c.name, c.kind, c.owner, c.created_at,"
    " c.expires_at, c.last_rotated_at, c.rotate_every_days, c.reminder_days, c.version, c.notes,"
    f" {_REQUIRED_SINCE}"
    " FROM credentials c JOIN integrations i ON i.id = c.integration_id"
    " LEFT JOIN customers cu ON cu.id = c.customer_id"
)
_CREDENTIAL_ORDER = " ORDER BY i.slug, IFNULL(cu.slug, ''), c.environment, c.name"


@functools.lru_cache(maxsize=256)
def _reminders(text: str) -> tuple[int, ...]:
    # Nearly every row shares one of a few values; parse each once.
    return tuple(json.loads(text))


_ENVIRONMENTS = {e.value: e for e in Environment}
_KINDS = {k.value: k for k in CredentialKind}


def _credential(r: Sequence[Any]) -> Credential:
    return Credential(
        id=r[0],
        integration=r[1],
        customer=r[2],
        environment=_ENVIRONMENTS[r[3]],
        name=r[4],
        kind=_KINDS[r[5]],
        owner=r[6],
        created_at=parse_utc(r[7]),
        expires_at=parse_optional_utc(r[8]),
        last_rotated_at=parse_utc(r[9]),
        rotate_every_days=r[10],
        reminder_days=_reminders(r[11]),
        version=r[12],
        notes=r[13],
        rotation_required_since=parse_optional_utc(r[14]),
    )


def _where(
    integration: str | None,
    customer: str | None,
    environment: str | None,
    expiring_before: datetime | None,
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for clause, value in (
        ("i.slug = ?", integration),
        ("cu.slug = ?", customer),
        ("c.environment = ?", environment),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    if expiring_before is not None:
        clauses.append("c.expires_at IS NOT NULL AND c.expires_at < ?")
        params.append(format_utc(expiring_before))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def credentials(
    conn: Connection,
    *,
    integration: str | None = None,
    customer: str | None = None,
    environment: str | None = None,
    expiring_before: datetime | None = None,
) -> list[Credential]:
    where, params = _where(integration, customer, environment, expiring_before)
    return [
        _credential(r) for r in rows(conn, _CREDENTIAL_SELECT + where + _CREDENTIAL_ORDER, params)
    ]


# The public, secret-free shape of a credential in listings (`--json`), built by SQLite in C:
# 10,000 rows take a few milliseconds instead of ~100 ms of Python. Keys are in sorted order;
# the computed status is spliced in at STATUS_PLACEHOLDER (a quoted-JSON form that no string
# value can contain, because JSON escapes the quotes inside values).
STATUS_PLACEHOLDER = '"status":"?"'
_SUMMARY_SELECT = (
    "SELECT json_object("
    "'created_at', c.created_at, 'customer', cu.slug, 'env', c.environment,"
    " 'expires_at', c.expires_at, 'id', c.id, 'integration', i.slug, 'kind', c.kind,"
    " 'last_rotated_at', c.last_rotated_at, 'name', c.name, 'owner', c.owner,"
    " 'reminder_days', json(c.reminder_days), 'rotate_every_days', c.rotate_every_days,"
    " 'status', '?', 'version', c.version),"
    f" c.expires_at, c.last_rotated_at, c.rotate_every_days, c.reminder_days, {_REQUIRED_SINCE}"
    " FROM credentials c JOIN integrations i ON i.id = c.integration_id"
    " LEFT JOIN customers cu ON cu.id = c.customer_id"
)


def credential_summaries(
    conn: Connection,
    *,
    credential_id: int | None = None,
    integration: str | None = None,
    customer: str | None = None,
    environment: str | None = None,
    expiring_before: datetime | None = None,
) -> list[tuple[str, datetime | None, datetime, int | None, tuple[int, ...], datetime | None]]:
    """(json with a status placeholder, expires_at, last_rotated_at, rotate_every_days,
    reminder_days, rotation required since) per credential, in listing order."""
    where, params = _where(integration, customer, environment, expiring_before)
    if credential_id is not None:
        where += (" AND " if where else " WHERE ") + "c.id = ?"
        params.append(credential_id)
    return [
        (
            r[0],
            parse_optional_utc(r[1]),
            parse_utc(r[2]),
            r[3],
            _reminders(r[4]),
            parse_optional_utc(r[5]),
        )
        for r in rows(conn, _SUMMARY_SELECT + where + _CREDENTIAL_ORDER, params)
    ]


def credential_by_id(conn: Connection, credential_id: int) -> Credential:
    found = rows(conn, _CREDENTIAL_SELECT + " WHERE c.id = ?", (credential_id,))
    if not found:
        raise NotFoundError(f"no credential {credential_id}")
    return _credential(found[0])


def credential_id_by_path(
    conn: Connection, integration: str, customer: str | None, environment: str, name: str
) -> int:
    found = rows(
        conn,
        "SELECT c.id FROM credentials c JOIN integrations i ON i.id = c.integration_id"
        " LEFT JOIN customers cu ON cu.id = c.customer_id"
        " WHERE i.slug = ? AND IFNULL(cu.slug, '') = ? AND c.environment = ? AND c.name = ?",
        (integration, customer or "", environment, name),
    )
    if not found:
        where = "/".join(p for p in (integration, customer or "-", environment, name))
        raise NotFoundError(f"no credential {where}")
    return int(found[0][0])


def insert_credential(
    conn: Connection, item: Credential, integration_id: int, customer_id: int | None, now: datetime
) -> int:
    cursor = conn.execute(
        "INSERT INTO credentials (integration_id, customer_id, environment, name, kind, owner,"
        " created_at, expires_at, last_rotated_at, rotate_every_days, reminder_days, version,"
        " notes, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            integration_id,
            customer_id,
            item.environment.value,
            item.name,
            item.kind.value,
            item.owner,
            format_utc(item.created_at),
            _optional(item.expires_at),
            format_utc(item.last_rotated_at),
            item.rotate_every_days,
            json.dumps(list(item.reminder_days)),
            item.version,
            item.notes,
            format_utc(now),
        ),
    )
    return int(cursor.lastrowid or 0)


def update_credential(conn: Connection, item: Credential, now: datetime) -> None:
    conn.execute(
        "UPDATE credentials SET name=?, kind=?, owner=?, expires_at=?, last_rotated_at=?,"
        " rotate_every_days=?, reminder_days=?, version=?, notes=?, updated_at=? WHERE id=?",
        (
            item.name,
            item.kind.value,
            item.owner,
            _optional(item.expires_at),
            format_utc(item.last_rotated_at),
            item.rotate_every_days,
            json.dumps(list(item.reminder_days)),
            item.version,
            item.notes,
            format_utc(now),
            item.id,
        ),
    )


def delete_credential(conn: Connection, credential_id: int) -> None:
    conn.execute("DELETE FROM credential_versions WHERE credential_id = ?", (credential_id,))
    conn.execute("DELETE FROM credentials WHERE id = ?", (credential_id,))


# --- sealed versions --------------------------------------------------------------------


def insert_version(
    conn: Connection,
    credential_id: int,
    version: int,
    sealed: bytes,
    now: datetime,
    note: str = "",
) -> None:
    conn.execute(
        "INSERT INTO credential_versions (credential_id, version, sealed, created_at, note)"
        " VALUES (?,?,?,?,?)",
        (credential_id, version, sealed, format_utc(now), note),
    )


def retire_version(
    conn: Connection,
    credential_id: int,
    version: int,
    now: datetime,
    revoked_at_vendor: bool | None = None,
) -> None:
    conn.execute(
        "UPDATE credential_versions SET retired_at = ?, revoked_at_vendor = ?"
        " WHERE credential_id = ? AND version = ?",
        (
            format_utc(now),
            None if revoked_at_vendor is None else int(revoked_at_vendor),
            credential_id,
            version,
        ),
    )


def retired_values_before(conn: Connection, moment: datetime) -> list[tuple[int, int]]:
    """(credential id, version) of retired versions whose value is still kept past `moment`."""
    return [
        (int(r[0]), int(r[1]))
        for r in rows(
            conn,
            "SELECT credential_id, version FROM credential_versions"
            " WHERE retired_at IS NOT NULL AND retired_at < ? AND sealed IS NOT NULL"
            " ORDER BY credential_id, version",
            (format_utc(moment),),
        )
    ]


def purge_value(conn: Connection, credential_id: int, version: int, now: datetime) -> None:
    conn.execute(
        "UPDATE credential_versions SET sealed = NULL, purged_at = ?"
        " WHERE credential_id = ? AND version = ?",
        (format_utc(now), credential_id, version),
    )


def alert_channel(conn: Connection, kind: str) -> bytes | None:
    found = rows(conn, "SELECT sealed FROM alert_channels WHERE kind = ?", (kind,))
    return bytes(found[0][0]) if found else None


def set_alert_channel(conn: Connection, kind: str, sealed: bytes | None, now: datetime) -> None:
    if sealed is None:
        conn.execute("DELETE FROM alert_channels WHERE kind = ?", (kind,))
        return
    conn.execute(
        "INSERT INTO alert_channels (kind, sealed, updated_at) VALUES (?,?,?)"
        " ON CONFLICT(kind) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at",
        (kind, sealed, format_utc(now)),
    )


def sealed_value(conn: Connection, credential_id: int, version: int) -> bytes | None:
    found = rows(
        conn,
        "SELECT sealed FROM credential_versions WHERE credential_id = ? AND version = ?",
        (credential_id, version),
    )
    return bytes(found[0][0]) if found and found[0][0] is not None else None


def versions(conn: Connection, credential_id: int) -> list[CredentialVersion]:
    return [
        CredentialVersion(
            credential_id=credential_id,
            version=r[0],
            created_at=parse_utc(r[1]),
            retired_at=parse_optional_utc(r[2]),
            has_value=bool(r[3]),
            note=r[4],
            revoked_at_vendor=None if r[5] is None else bool(r[5]),
        )
        for r in rows(
            conn,
            "SELECT version, created_at, retired_at, sealed IS NOT NULL, note, revoked_at_vendor"
            " FROM credential_versions"
            " WHERE credential_id = ? ORDER BY version",
            (credential_id,),
        )
    ]
