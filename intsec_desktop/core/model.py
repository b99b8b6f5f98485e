"""Domain dataclasses: plain values, no storage; a secret is only ever bytes in flight."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Category(StrEnum):
    HRIS = "hris"
    ATS = "ats"
    CRM = "crm"
    ACCOUNTING = "accounting"
    TICKETING = "ticketing"
    FILE_STORAGE = "file_storage"
    CUSTOM = "custom"


class Method(StrEnum):
    API = "api"
    FILE = "file"
    SCRIPT = "script"
    ASSISTED = "assisted"

    @property
    def is_risky(self) -> bool:
        """File drops, scripts and assisted set-ups bypass the vendor's API controls."""
        return self is not Method.API


class Environment(StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"


class CredentialKind(StrEnum):
    API_KEY = "api_key"
    OAUTH_CLIENT_SECRET = "oauth_client_secret"
    ACCESS_TOKEN = "access_token"
    REFRESH_TOKEN = "refresh_token"
    WEBHOOK_SECRET = "webhook_secret"
    PASSWORD = "password"
    PRIVATE_KEY = "private_key"


class Region(StrEnum):
    US = "us"
    EU = "eu"
    UK = "uk"
    APAC = "apac"
    CA = "ca"
    AU = "au"


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    EDITOR = "editor"
    AUDITOR = "auditor"
    VIEWER = "viewer"


class Status(StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class ComplianceEvidence:
    soc2_type2_expires: datetime | None = None
    iso27001_expires: datetime | None = None
    gdpr_dpa_expires: datetime | None = None


@dataclass(frozen=True, slots=True)
class Integration:
    id: int
    slug: str
    name: str
    category: Category
    method: Method
    vendor: str = ""
    base_urls: dict[str, str] = field(default_factory=dict)  # region -> URL
    compliance: ComplianceEvidence = field(default_factory=ComplianceEvidence)
    rotation_steps: str = ""  # the manual checklist shown while rotating, one step per line
    console_url: str = ""  # where keys are rotated at the vendor


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    slug: str
    name: str
    region: Region


@dataclass(frozen=True, slots=True)
class Credential:
    """Metadata of one stored secret. The value itself lives sealed in its versions."""

    id: int
    integration: str  # integration slug
    customer: str | None  # customer slug, None = integration-wide
    environment: Environment
    name: str
    kind: CredentialKind
    owner: str
    created_at: datetime
    expires_at: datetime | None
    last_rotated_at: datetime
    rotate_every_days: int | None
    reminder_days: tuple[int, ...]
    version: int
    notes: str = ""
    # Set when someone who could read the value lost access (member removed or demoted):
    # the credential is due for rotation from that moment, whatever its policy says.
    rotation_required_since: datetime | None = None

    def __repr__(self) -> str:
        # Spelled out so that a future secret-bearing field can never slip into a repr.
        return (
            f"Credential(id={self.id}, integration={self.integration!r}, "
            f"customer={self.customer!r}, environment={self.environment.value!r}, "
            f"name={self.name!r}, version={self.version})"
        )


@dataclass(frozen=True, slots=True)
class CredentialVersion:
    credential_id: int
    version: int
    created_at: datetime
    retired_at: datetime | None
    has_value: bool  # False once the grace period purged the old value
    note: str = ""  # ticket link or reason given when this version was created
    revoked_at_vendor: bool | None = None  # answer given when this version was retired


@dataclass(frozen=True, slots=True)
class CredentialListing:
    """One row of the credentials list: metadata plus its computed status."""

    credential: Credential
    status: Status


@dataclass(frozen=True, slots=True)
class CredentialFilter:
    """What a credentials listing is narrowed to; None means any."""

    integration: str | None = None
    customer: str | None = None
    environment: str | None = None
    status: Status | None = None
    expiring_within_days: int | None = None


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class AuditEvent:
    seq: int
    at: datetime
    actor: str
    os_user: str
    host: str
    action: str
    target: str
    details: dict[str, object]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class KeySlotInfo:
    """What `keyslot list` shows about a slot: never key material."""

    id: str
    kind: str  # passphrase | keyring | recovery
    member: str
    can_reveal: bool
    created_at: datetime
    detail: str  # KDF parameters, or the keyring backend that holds the device key
