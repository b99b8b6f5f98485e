"""The locked hook's fingerprint file: finds encoded secrets in staged content by keyed hashes,
holds no value, and does not open without this device's keyring key."""

from __future__ import annotations

from pathlib import Path

from intsec_desktop.core import services
from intsec_desktop.core.scan import encodings, fingerprints
from intsec_desktop.core.services import VaultSession
from tests.unit.conftest import VaultCopy
from tests.unit.scan.planted import LABEL, PLANTED, every_encoding, git


def _staged_repo(tmp_path: Path, files: dict[str, bytes]) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for name, data in files.items():
        (repo / name).write_bytes(data)
    git(repo, "add", "-A")
    return repo


def test_locked_scan_finds_every_encoding_by_fingerprint(
    vault: VaultCopy, session: VaultSession, tmp_path: Path
) -> None:
    session.rotate_credential(LABEL, PLANTED)
    assert session.refresh_scan_fingerprints(store_for=lambda _n: vault.store())
    session.close()
    files = {
        f"{name}.txt": (b"\xff\xfe" if name == "utf-16le" else b"") + b"v: " + form + b"\n"
        for name, form in every_encoding(PLANTED).items()
    }
    files["clean.py"] = b"print('hello world')\n"
    repo = _staged_repo(tmp_path, files)
    report = services.scan_staged_while_locked(
        vault.folder, repo, max_bytes=1 << 20, store_for=lambda _n: vault.store()
    )
    found = {(f.path, f.encoding) for f in report.findings}
    expected = {(name, name.removesuffix(".txt")) for name in files if name != "clean.py"}
    assert expected <= found, expected - found
    assert all(f.credential == LABEL for f in report.findings)


def test_fingerprint_file_holds_no_value_and_needs_the_device_key(
    vault: VaultCopy, session: VaultSession
) -> None:
    session.rotate_credential(LABEL, PLANTED)
    assert session.refresh_scan_fingerprints(store_for=lambda _n: vault.store())
    path = fingerprints.fingerprint_path(vault.vault_id)
    data = path.read_bytes()
    assert path.stat().st_mode & 0o777 == 0o600
    for _encoding, form in encodings.encoded_forms(PLANTED):
        assert form not in data
    assert b"bamboohr" not in data  # sealed: not even the names are readable
    assert fingerprints.read_fingerprints(vault.vault_id, b"\0" * 32) is None
    index = fingerprints.read_fingerprints(vault.vault_id, _device_key(vault))
    assert index is not None
    assert "PLANTED" not in repr(index)


def _device_key(vault: VaultCopy) -> bytes:
    entry = vault.store().load(vault.vault_id)
    assert entry is not None
    return entry.device_key


def test_no_keyring_key_means_no_fingerprints(session: VaultSession) -> None:
    from intsec_desktop.core.vault.keyring_store import DeviceKeyStore
    from tests.unit.conftest import MemoryKeyring

    empty = DeviceKeyStore(MemoryKeyring())
    assert session.refresh_scan_fingerprints(store_for=lambda _n: empty) is False
