"""A realistic sample vault: integrations across categories, customers in three regions, and
credentials with varied expiry, rotation policy and age. Metadata is seeded; secrets are random."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from intsec_desktop.core.errors import ConflictError
from intsec_desktop.core.model import CredentialKind, Environment

if TYPE_CHECKING:
    from intsec_desktop.core.services import VaultSession

# slug, name, category, method, vendor, {region: base URL}
INTEGRATIONS = [
    (
        "bamboohr",
        "BambooHR",
        "hris",
        "api",
        "BambooHR",
        {
            "us": "https://api.bamboohr.com/api/gateway.php",
            "eu": "https://api.bamboohr.com/eu/api/gateway.php",
        },
    ),
    (
        "workday",
        "Workday",
        "hris",
        "api",
        "Workday",
        {
            "us": "https://wd5-services1.myworkday.com/ccx",
            "eu": "https://wd3-services1.myworkday.com/ccx",
        },
    ),
    ("personio", "Personio", "hris", "api", "Personio", {"eu": "https://api.personio.de/v1"}),
    ("adp", "ADP Workforce Now", "hris", "file", "ADP", {"us": "https://sftp.adp.com"}),
    (
        "greenhouse",
        "Greenhouse",
        "ats",
        "api",
        "Greenhouse",
        {"us": "https://harvest.greenhouse.io/v1"},
    ),
    (
        "lever",
        "Lever",
        "ats",
        "api",
        "Lever",
        {"us": "https://api.lever.co/v1", "eu": "https://api.eu.lever.co/v1"},
    ),
    (
        "salesforce",
        "Salesforce",
        "crm",
        "api",
        "Salesforce",
        {
            "us": "https://login.salesforce.com",
            "eu": "https://login.salesforce.com",
            "apac": "https://login.salesforce.com",
        },
    ),
    (
        "hubspot",
        "HubSpot",
        "crm",
        "api",
        "HubSpot",
        {"us": "https://api.hubapi.com", "eu": "https://api-eu1.hubapi.com"},
    ),
    ("netsuite", "NetSuite", "accounting", "script", "Oracle", {"us": "https://rest.netsuite.com"}),
    (
        "xero",
        "Xero",
        "accounting",
        "api",
        "Xero",
        {"apac": "https://api.xero.com", "eu": "https://api.xero.com"},
    ),
    (
        "zendesk",
        "Zendesk",
        "ticketing",
        "api",
        "Zendesk",
        {"us": "https://api.zendesk.com", "eu": "https://api.zendesk.com"},
    ),
    (
        "jira",
        "Jira Service Management",
        "ticketing",
        "assisted",
        "Atlassian",
        {
            "us": "https://api.atlassian.com",
            "eu": "https://api.atlassian.com",
            "apac": "https://api.atlassian.com",
        },
    ),
]

CUSTOMERS = [
    ("acme", "Acme GmbH", "eu"),
    ("globex", "Globex Corporation", "us"),
    ("initech", "Initech", "us"),
    ("umbrella", "Umbrella Health", "us"),
    ("hooli", "Hooli", "us"),
    ("stark", "Stark Industries", "us"),
    ("wayne", "Wayne Enterprises", "us"),
    ("cyberdyne", "Cyberdyne Systems", "us"),
    ("vandelay", "Vandelay Industries", "eu"),
    ("bluth", "Bluth Company", "eu"),
    ("dunder", "Dunder Mifflin GmbH", "eu"),
    ("wonka", "Wonka Confiserie", "eu"),
    ("tyrell", "Tyrell BV", "eu"),
    ("soylent", "Soylent SAS", "eu"),
    ("oscorp", "Oscorp KK", "apac"),
    ("gringotts", "Gringotts Pte", "apac"),
    ("nakatomi", "Nakatomi Trading", "apac"),
    ("massive", "Massive Dynamic Pty", "apac"),
    ("pied-piper", "Pied Piper", "us"),
    ("aperture", "Aperture Science", "us"),
]

# credential name, kind, typical rotation policy in days (None = no policy)
CREDENTIAL_NAMES = [
    ("api_key", CredentialKind.API_KEY, 90),
    ("client_secret", CredentialKind.OAUTH_CLIENT_SECRET, 180),
    ("webhook_secret", CredentialKind.WEBHOOK_SECRET, 365),
    ("refresh_token", CredentialKind.REFRESH_TOKEN, None),
    ("service_password", CredentialKind.PASSWORD, 90),
    ("signing_key", CredentialKind.PRIVATE_KEY, 365),
]

OWNERS = [
    "dana@example.com",
    "sam@example.com",
    "priya@example.com",
    "luis@example.com",
    "mei@example.com",
]
ENVIRONMENTS = [Environment.PRODUCTION, Environment.STAGING, Environment.DEVELOPMENT]
_STRIDE = 337  # prime, coprime to 12 * 20 * 3 = 720


@dataclass(frozen=True, slots=True)
class DemoSummary:
    integrations: int
    customers: int
    credentials: int


def _secret_for(kind: CredentialKind) -> bytes:
    if kind is CredentialKind.PRIVATE_KEY:
        return (
            b"-----BEGIN EC PRIVATE KEY-----\n"
            + secrets.token_urlsafe(96).encode()
            + b"\n-----END EC PRIVATE KEY-----\n"
        )
    return secrets.token_urlsafe(32).encode()


def populate(session: VaultSession, credentials: int = 100, seed: int = 7) -> DemoSummary:
    """Add the sample in one transaction; each item still gets its own audit event."""
    if credentials < 0:
        raise ValueError("credentials must be >= 0")
    existing = {i.slug for i in session.list_integrations()}
    if existing & {slug for slug, *_ in INTEGRATIONS}:
        raise ConflictError("this vault already holds the demo integrations")
    rng = random.Random(seed)  # metadata only; secret values come from `secrets`
    now = session.clock_now()
    per_layer = len(INTEGRATIONS) * len(CUSTOMERS) * len(ENVIRONMENTS)
    with session.batch():
        for slug, name, category, method, vendor, urls in INTEGRATIONS:
            session.add_integration(slug, name, category, method, vendor=vendor, base_urls=urls)
        for slug, name, region in CUSTOMERS:
            session.add_customer(slug, name, region)
        for i in range(credentials):
            # A stride coprime to the layer size walks every (integration, customer,
            # environment) combination once per layer, but mixes them even in a small sample.
            slot = (i * _STRIDE) % per_layer
            integration = INTEGRATIONS[slot % len(INTEGRATIONS)][0]
            customer = CUSTOMERS[(slot // len(INTEGRATIONS)) % len(CUSTOMERS)][0]
            environment = ENVIRONMENTS[slot // (len(INTEGRATIONS) * len(CUSTOMERS))]
            layer = i // per_layer
            base, kind, policy = CREDENTIAL_NAMES[
                (slot // len(INTEGRATIONS) + layer) % len(CREDENTIAL_NAMES)
            ]
            name = base if layer == 0 else f"{base}_{layer + 1}"
            # Most keys are healthy; roughly one in eight is overdue, a few are expired or due.
            age_days = rng.randint(0, int((policy or 365) * 1.12))
            expires_in = rng.choice([None, None, None, rng.randint(-20, 420)])
            session.add_credential(
                integration=integration,
                customer=customer,
                environment=environment.value,
                name=name,
                kind=kind.value,
                owner=rng.choice(OWNERS),
                secret=_secret_for(kind),
                expires_at=_midnight(now + timedelta(days=expires_in))
                if expires_in is not None
                else None,
                rotate_every_days=policy,
                last_rotated_at=now - timedelta(days=age_days),
            )
    return DemoSummary(len(INTEGRATIONS), len(CUSTOMERS), credentials)


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)
