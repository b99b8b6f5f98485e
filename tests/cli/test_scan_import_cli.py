"""`intsec scan`, `intsec import dotenv` and `intsec hook` through the real command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from intsec_desktop.core.scan import encodings
from tests.cli.conftest import (
    FAST_KDF,
    PASSPHRASE,
    CliVault,
    assert_one_line_error,
    write_passphrase,
)
from tests.unit.scan.planted import GIT_ENV, PLANTED, every_encoding, git

SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
REAL_KEYRING: dict[str, str | None] = {"PYTHON_KEYRING_BACKEND": None}


def _assert_no_secret(blob: bytes, secrets: list[bytes]) -> None:
    for value in secrets:
        for encoding, form in encodings.encoded_forms(value):
            assert form not in blob, f"{encoding} form of a stored secret in the output"


@pytest.fixture(scope="module")
def planted_vault(populated: CliVault, tmp_path_factory: pytest.TempPathFactory) -> CliVault:
    """The populated vault plus a value with characters every encoding changes."""
    vault = populated.copy(tmp_path_factory.mktemp("planted-home"))
    vault.ok("cred", "add", "--integration", "greenhouse", "--name", "planted", stdin=PLANTED)
    return vault


@pytest.fixture
def leaky_tree(planted_vault: CliVault, tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    value = PLANTED
    for name, form in every_encoding(value).items():
        prefix = b"\xff\xfe" if name == "utf-16le" else b""
        (tree / f"{name}.cfg").write_bytes(prefix + b"key = " + form + b"\n")
    (tree / "binary.dat").write_bytes(b"\0\0\0" + value)
    (tree / "clean.py").write_text("print('nothing to see')\n")
    return tree


@pytest.mark.parametrize("fmt", [[], ["--json"], ["--sarif"]])
def test_scan_finds_every_encoding_exits_6_and_prints_no_value(
    planted_vault: CliVault, leaky_tree: Path, fmt: list[str]
) -> None:
    result = planted_vault.run("scan", str(leaky_tree), "--jobs", "2", *fmt)
    assert result.code == 6, result
    _assert_no_secret(result.stdout + result.stderr, [PLANTED, *planted_vault.secrets.values()])
    assert "binary.dat: binary" in result.err
    if fmt == ["--json"]:
        found = {f["encoding"] for f in json.loads(result.stdout)["findings"]}
        assert found == set(encodings.ENCODINGS)
    elif fmt == ["--sarif"]:
        sarif = json.loads(result.stdout)
        assert sarif["version"] == "2.1.0"
        assert len(sarif["runs"][0]["results"]) == len(encodings.ENCODINGS)
    else:
        assert "greenhouse/-/production/planted v1 [base64url]" in result.out


def test_clean_scan_exits_0(populated: CliVault, tmp_path: Path) -> None:
    (tmp_path / "clean.txt").write_text("hello\n")
    result = populated.run("scan", str(tmp_path / "clean.txt"))
    assert result.code == 0, result
    assert result.stdout == b""


def test_scan_bad_arguments(populated: CliVault, tmp_path: Path) -> None:
    assert_one_line_error(populated.run("scan", str(tmp_path / "missing")), 2, "no such file")
    assert_one_line_error(populated.run("scan", "--fingerprints", "."), 2, "--staged")
    assert_one_line_error(populated.run("scan", "--max-size", "0", "."), 2, "--max-size")
    not_repo = populated.run("scan", "--git", str(tmp_path))
    assert_one_line_error(not_repo, 2, "not inside a git repository")


# --- import -----------------------------------------------------------------------------------

ENV_FILE = (
    b"# payroll sync\n"
    b"export BHR_API_KEY=bhr_live_00112233445566778899\n"
    b'DB_PASSWORD="multi word pass"\n'
    b"APP_NAME=payroll\n"
    b"UPSTREAM=${OTHER_VAR}\n"
)
IMPORTED = [b"bhr_live_00112233445566778899", b"multi word pass"]


def _env(tmp_path: Path) -> Path:
    path = tmp_path / "app.env"
    path.write_bytes(ENV_FILE)
    return path


def test_import_round_trip_then_idempotent(fresh: CliVault, tmp_path: Path) -> None:
    env = _env(tmp_path)
    args = ("import", "dotenv", str(env), "--integration", "bamboohr", "--customer", "acme")
    result = fresh.run(*args, "--yes", "--json")
    assert result.code == 0, result
    summary = json.loads(result.stdout)
    assert sorted(summary["added"]) == ["bhr_api_key", "db_password"]
    assert env.read_bytes() == ENV_FILE  # not rewritten without --rewrite
    template = tmp_path / "app.env.intsec-template"
    text = template.read_text()
    assert "export BHR_API_KEY=${INTSEC_BAMBOOHR_ACME_BHR_API_KEY}" in text
    assert "UPSTREAM=${OTHER_VAR}" in text
    _assert_no_secret(template.read_bytes() + result.stdout + result.stderr, IMPORTED)
    revealed = fresh.ok("cred", "reveal", "bamboohr/acme/production/bhr_api_key")
    assert revealed.stdout.strip() == IMPORTED[0]
    again = json.loads(fresh.ok(*args, "--yes", "--json").stdout)
    assert again["added"] == []
    assert sorted(again["unchanged"]) == ["bhr_api_key", "db_password"]
    env.write_bytes(ENV_FILE.replace(b"multi word pass", b"changed password"))
    assert_one_line_error(fresh.run(*args, "--yes", "--json"), 1, "db_password")


def test_import_without_terminal_or_yes_refuses(fresh: CliVault, tmp_path: Path) -> None:
    env = _env(tmp_path)
    result = fresh.run("import", "dotenv", str(env), "--integration", "bamboohr", "--json")
    assert_one_line_error(result, 2, "--yes")
    assert not (tmp_path / "app.env.intsec-template").exists()


def test_import_rewrite_in_place_with_backup(fresh: CliVault, tmp_path: Path) -> None:
    env = _env(tmp_path)
    env.chmod(0o640)
    result = fresh.run(
        "import", "dotenv", str(env), "--integration", "bamboohr", "--rewrite", "--backup", "--yes"
    )
    assert result.code == 0, result
    assert "${INTSEC_BAMBOOHR__BHR_API_KEY}" in env.read_text()  # the export's env name
    assert env.stat().st_mode & 0o777 == 0o640
    backup = tmp_path / "app.env.bak"
    assert backup.read_bytes() == ENV_FILE
    assert backup.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"KEY=\xff\n", 2, "not UTF-8"),
        (b"oops no equals\n", 2, ":1: expected KEY=value"),
    ],
)
def test_import_bad_input(
    fresh: CliVault, tmp_path: Path, content: bytes, code: int, message: str
) -> None:
    path = tmp_path / "bad.env"
    path.write_bytes(content)
    result = fresh.run("import", "dotenv", str(path), "--integration", "bamboohr", "--yes")
    assert_one_line_error(result, code, message)


# --- the pre-commit hook with the vault locked ------------------------------------------------


@pytest.fixture
def keyring_vault(tmp_path: Path) -> Iterator[CliVault]:
    probe = subprocess.run(
        [sys.executable, "-c", "import keyring; k = keyring.get_keyring();"
         " print(f'{type(k).__module__}.{type(k).__qualname__}')"],
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"},
        timeout=60,
        check=False,
    )  # fmt: skip
    if probe.stdout.decode().strip() != SECRET_SERVICE or shutil.which("secret-tool") is None:
        message = "needs the Secret Service; run under tests/e2e/desktop/desktop-session.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path / "home"
    home.mkdir()
    pw = write_passphrase(home / "pw", PASSPHRASE)
    vault = CliVault(home, home / "kr.intsec", pw, "", "", {})
    result = vault.run("init", *FAST_KDF, "--json", env=REAL_KEYRING)
    assert result.code == 0, result
    vault_id = json.loads(result.stdout)["vault_id"]
    try:
        yield vault
    finally:
        subprocess.run(
            ["secret-tool", "clear", "service", "intsec-desktop", "username", vault_id],
            capture_output=True,
            check=False,
            timeout=30,
        )


def _commit(repo: Path, home: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, **GIT_ENV, "INTSEC_HOME": str(home)}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.pop("INTSEC_VAULT", None)
    return subprocess.run(
        ["git", "-C", str(repo), "commit", "-q", "-m", "change"],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
        start_new_session=True,
    )


def test_hook_blocks_a_staged_secret_while_locked(keyring_vault: CliVault, tmp_path: Path) -> None:
    vault = keyring_vault
    secret = b"gh_tok_5f4e3d2c1b0a99887766"
    vault.ok("integration", "add", "greenhouse", "--name", "Greenhouse", "--category", "ats",
             "--method", "api", env=REAL_KEYRING)  # fmt: skip
    vault.ok("cred", "add", "--integration", "greenhouse", "--name", "token", stdin=secret,
             env=REAL_KEYRING)  # fmt: skip
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    installed = vault.run("hook", "install", str(repo), env=REAL_KEYRING)
    assert installed.code == 0, installed
    # From here on nothing unlocks the vault: no passphrase reaches the hook.
    (repo / "clean.txt").write_text("hello\n")
    git(repo, "add", "clean.txt")
    ok = _commit(repo, vault.home)
    assert ok.returncode == 0, ok
    (repo / "config.json").write_bytes(b'{"token": "' + secret + b'"}\n')
    git(repo, "add", "config.json")
    blocked = _commit(repo, vault.home)
    assert blocked.returncode != 0, blocked
    said = blocked.stdout + blocked.stderr  # git passes the hook's stdout on to stderr
    assert b"config.json:1: greenhouse/-/production/token" in said, blocked
    _assert_no_secret(blocked.stdout + blocked.stderr, [secret])
    log = git(repo, "log", "--oneline").stdout.decode().splitlines()
    assert len(log) == 1  # only the clean commit went in
    # A rotation refreshes the fingerprints: the new value is blocked too, still locked.
    rotated = b"gh_tok_rotated_0a1b2c3d4e5f66"
    vault.ok("cred", "rotate", "greenhouse/-/production/token", stdin=rotated, env=REAL_KEYRING)
    git(repo, "rm", "-q", "--cached", "config.json")
    (repo / "new.env").write_bytes(b"TOKEN=" + rotated + b"\n")
    git(repo, "add", "new.env")
    again = _commit(repo, vault.home)
    assert again.returncode != 0, again
    assert b"new.env:1: greenhouse/-/production/token v2 [raw]" in again.stdout + again.stderr
