"""A generated git repository with one secret planted in every encoding, across files and
history (a file added then deleted, a value added then edited away), and a clean corpus of
real-looking code that must produce no finding."""

from __future__ import annotations

import base64
import json
import os
import random
import string
import subprocess
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

# Contains characters every encoding treats specially: '+' and '/' in base64, '%' and '&' for
# URLs, '"' and '\' for JSON; non-ASCII for UTF-8 vs UTF-16.
PLANTED = '>>>Zk9$q/Lm+2"pQ\\w8&rT~é_vX'.encode()
RETIRED = b"rt_old_9f8e7d6c5b4a3928"
LABEL = "bamboohr/acme/production/api_key"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_SYSTEM": os.devnull,
}


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        check=True,
        env={**os.environ, **GIT_ENV},
        timeout=60,
    )


def every_encoding(value: bytes) -> dict[str, bytes]:
    """One representative of each encoding family, embedded the way real files carry it."""
    text = value.decode()
    return {
        "raw": value,
        "base64": base64.b64encode(value),
        "base64url": base64.urlsafe_b64encode(value).rstrip(b"="),
        "hex": value.hex().encode(),
        "hex-upper": value.hex().upper().encode(),
        "url-encoded": urllib.parse.quote(value, safe="").encode(),
        "json-escaped": json.dumps(text)[1:-1].encode(),
        "utf-16le": text.encode("utf-16-le"),
    }


def embedded_base64(value: bytes, shift: int) -> bytes:
    """The value inside a longer base64 blob, at byte offset `shift` (alignment 0, 1, 2)."""
    return base64.b64encode(b"-----header" + b"x" * shift + value + b"trailer-----")


@dataclass(frozen=True)
class PlantedRepo:
    root: Path
    expected: set[tuple[str, str]]  # (file path, encoding) that must be found in the tree
    history_only: set[tuple[str, str]]  # only in history (deleted / edited away)


def clean_corpus(folder: Path, files: int = 40) -> None:
    """Real-looking code and config, with hashes, UUIDs and base64 that are not secrets."""
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    words = ["employee", "payroll", "token_url", "client", "refresh", "region", "cursor"]
    for n in range(files):
        lines = ['"""Sync module {n}."""', "import base64, hashlib, uuid", ""]
        for i in range(60):
            w = rng.choice(words)
            blob = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))
            lines.append(f"def {w}_{i}(x):")
            lines.append(f"    ident = '{rng.getrandbits(128):032x}'  # request id")
            lines.append(f"    data = base64.b64encode(b'{blob}')")
            lines.append(f"    return {{'url': 'https://api.example.com/v1/{w}?page={i}', 'x': x}}")
        (folder / f"sync_{n}.py").write_text("\n".join(lines) + "\n")
    (folder / "config.yaml").write_text(
        "api_key: ${INTSEC_BAMBOOHR_ACME_API_KEY}\nregion: eu\nAKIA: not-a-key\nghp_: nope\n"
    )


def make_planted_repo(root: Path) -> PlantedRepo:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    clean_corpus(root / "src")
    expected: set[tuple[str, str]] = set()
    for encoding, form in every_encoding(PLANTED).items():
        name = f"planted/{encoding}.txt"
        path = root / name
        path.parent.mkdir(exist_ok=True)
        if encoding == "utf-16le":
            path.write_bytes(
                "\ufeffconfig = ".encode("utf-16-le") + form + "\n".encode("utf-16-le")
            )
        else:
            path.write_bytes(b"# config\nvalue = " + form + b"\n")
        expected.add((name, encoding))
    for shift in range(3):
        name = f"planted/embedded_{shift}.txt"
        (root / name).write_bytes(b"blob: " + embedded_base64(PLANTED, shift) + b"\n")
        expected.add((name, "base64"))
    (root / "planted/retired.env").write_bytes(b"OLD=" + RETIRED + b"\n")
    expected.add(("planted/retired.env", "raw"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "planted")
    # History only: a file added then deleted, and a value added then edited away.
    (root / "deleted.env").write_bytes(b"API_KEY=" + PLANTED + b"\n")
    (root / "edited.json").write_bytes(b'{"k": "' + base64.b64encode(PLANTED) + b'"}\n')
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "oops")
    (root / "deleted.env").unlink()
    (root / "edited.json").write_bytes(b'{"k": "${INTSEC_BAMBOOHR_ACME_API_KEY}"}\n')
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "remove the leak")
    history_only = {("deleted.env", "raw"), ("edited.json", "base64")}
    return PlantedRepo(root, expected, history_only)
