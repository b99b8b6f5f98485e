"""Reference dialects: where a deployment finds each secret. Names depend only on the
credential's own identity (stable) and are checked for collisions on every render."""

from __future__ import annotations

import functools
import hashlib
import re

from intsec_desktop.core.errors import ConflictError
from intsec_desktop.core.export.profile import Dialect
from intsec_desktop.core.model import Credential

SHARED = "_shared"  # the customer part of an integration-wide credential (no slug starts with _)
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_NOT_NAME = re.compile(r"[^a-z0-9_]")


@functools.lru_cache(maxsize=65536)
def _upper(part: str) -> str:
    return _NOT_ALNUM.sub("_", part).upper()


@functools.lru_cache(maxsize=65536)
def _has_separator(slug: str) -> bool:
    return _NOT_ALNUM.search(slug) is not None


@functools.lru_cache(maxsize=65536)
def _is_plain_name(name: str) -> bool:
    return _NOT_NAME.search(name) is None


def env_name(credential: Credential) -> str:
    return env_name_of(credential.integration, credential.customer, credential.name)


def env_name_of(integration: str, customer: str | None, name: str) -> str:
    """INTSEC_<INTEGRATION>_<CUSTOMER>_<NAME>; integration-wide: INTSEC_<INTEGRATION>__<NAME>.

    Slugs are lowercase [a-z0-9_-] and names add `.`, so upper-casing loses nothing; `-` and `.`
    become `_`. The split is unambiguous while the slugs hold no separator (the name, last,
    may): otherwise a short hash of the exact identity is appended, so `a-b` and `a_b` never
    share a variable and no name depends on any other credential."""
    customer = customer or ""
    var = f"INTSEC_{_upper(integration)}_{_upper(customer)}_{_upper(name)}"
    if _has_separator(integration) or _has_separator(customer) or not _is_plain_name(name):
        identity = "\0".join([integration, customer, name])
        var += "_" + hashlib.sha256(identity.encode()).hexdigest()[:8].upper()
    return var


def _path_parts(credential: Credential) -> tuple[str, str, str, str]:
    env = credential.environment.value
    return env, credential.integration, credential.customer or SHARED, credential.name


def reference(credential: Credential, dialect: Dialect) -> str:
    env, integration, customer, name = _path_parts(credential)
    if dialect is Dialect.ENV:
        return "${" + env_name(credential) + "}"
    if dialect is Dialect.OP:
        return f"op://intsec-{env}/{integration}.{customer}/{name}"
    if dialect is Dialect.VAULT:
        return f"vault:intsec/{env}/{integration}/{customer}#{name}"
    return f"intsec/{env}/{integration}/{customer}/{name}"


def remote_ref(credential: Credential, dialect: Dialect) -> tuple[str, str | None]:
    """(key, property) for an ExternalSecret's remoteRef in this dialect's store."""
    env, integration, customer, name = _path_parts(credential)
    if dialect is Dialect.ENV:
        return env_name(credential), None
    if dialect is Dialect.OP:
        return f"{integration}.{customer}", name
    if dialect is Dialect.VAULT:
        return f"intsec/{env}/{integration}/{customer}", name
    return f"intsec/{env}/{integration}/{customer}/{name}", None


def references(credentials: list[Credential], dialect: Dialect) -> dict[int, str]:
    """credential id -> reference; a collision is refused rather than silently written."""
    out: dict[int, str] = {}
    seen: dict[str, Credential] = {}
    for c in credentials:
        ref = reference(c, dialect)
        other = seen.get(ref)
        if other is not None:
            raise ConflictError(
                f"credentials {other.id} and {c.id} would share the reference {ref}; rename one"
            )
        seen[ref] = c
        out[c.id] = ref
    return out
