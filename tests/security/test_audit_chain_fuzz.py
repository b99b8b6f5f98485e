"""1,000 random tamperings of the audit table with raw SQL (triggers dropped): every one caught."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from intsec_desktop.core import paths, services
from intsec_desktop.core.model import Role
from intsec_desktop.core.vault import audit_trail, keyslots, opening
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.database import Connection

TRIALS = 1000
COLUMNS = ["at", "actor", "os_user", "host", "action", "target", "details", "prev_hash", "hash"]


def _build(folder: Path) -> str:
    session, created = services.create_vault(
        folder, "fuzz passphrase", KdfParams.floor(), keyring_store=None
    )
    with session:
        session.add_integration("bamboohr", "BambooHR", "hris", "api")
        session.add_customer("acme", "Acme GmbH", "eu")
        for i in range(8):
            session.add_credential(
                integration="bamboohr", customer="acme", name=f"key{i}", secret=b"s3cret-v%d" % i
            )
            session.reveal_secret(f"bamboohr/acme/production/key{i}", "copy")
        session.add_member("bob", Role.VIEWER, "one-time-pass")
    return created.recovery_code


def _edit(conn: Connection, rng: random.Random, seqs: list[int]) -> str:
    seq, column = rng.choice(seqs), rng.choice(COLUMNS)
    old = conn.execute(f"SELECT {column} FROM audit_events WHERE seq = ?", (seq,)).fetchone()[0]
    pos = rng.randrange(len(old) + 1)
    new = old[:pos] + rng.choice('0aZ{ }"é') + old[pos + 1 :]
    if new == old:
        new = old + "x"
    conn.execute(f"UPDATE audit_events SET {column} = ? WHERE seq = ?", (new, seq))
    return f"edit {column} of {seq}"


def _delete(conn: Connection, rng: random.Random, seqs: list[int]) -> str:
    seq = rng.choice(seqs)
    conn.execute("DELETE FROM audit_events WHERE seq = ?", (seq,))
    return f"delete {seq}"


def _reorder(conn: Connection, rng: random.Random, seqs: list[int]) -> str:
    a, b = rng.sample(seqs, 2)
    conn.execute("UPDATE audit_events SET seq = -1 WHERE seq = ?", (a,))
    conn.execute("UPDATE audit_events SET seq = ? WHERE seq = ?", (a, b))
    conn.execute("UPDATE audit_events SET seq = ? WHERE seq = -1", (b,))
    return f"swap {a} and {b}"


def _truncate(conn: Connection, rng: random.Random, seqs: list[int]) -> str:
    keep = rng.randrange(0, len(seqs))
    conn.execute("DELETE FROM audit_events WHERE seq > ?", (keep,))
    return f"truncate after {keep}"


def _renumber(conn: Connection, rng: random.Random, seqs: list[int]) -> str:
    seq = rng.choice(seqs)
    conn.execute("UPDATE audit_events SET seq = seq + 1000 WHERE seq = ?", (seq,))
    return f"renumber {seq}"


TAMPERINGS = [_edit, _delete, _reorder, _truncate, _renumber]


def test_the_chain_catches_every_random_tampering(tmp_path: Path) -> None:
    folder = tmp_path / "fuzz.intsec"
    code = _build(folder)
    shutil.copy2(paths.keyslots_path(folder), tmp_path / "keyslots.bak")
    opened = opening.unlock_with_secret(folder, code)
    conn, key = opened.conn, opened.keys.database_key.derive("audit")
    try:
        recorded = audit_trail.recorded_head(keyslots.load(paths.keyslots_path(folder)).file)
        assert recorded is not None
        seqs = [r[0] for r in conn.execute("SELECT seq FROM audit_events").fetchall()]
        assert recorded.seq == max(seqs)
        assert len(seqs) > 15
        assert audit_trail.verify(conn, key, recorded).ok
        rng = random.Random(20261129)
        missed: list[str] = []
        kinds: dict[str, int] = {}
        for _ in range(TRIALS):
            tamper = rng.choice(TAMPERINGS)
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("DROP TRIGGER audit_events_no_update")
                conn.execute("DROP TRIGGER audit_events_no_delete")
                what = tamper(conn, rng, seqs)
                verdict = audit_trail.verify(conn, key, recorded)
                if verdict.ok:
                    missed.append(what)
            finally:
                conn.execute("ROLLBACK")
            kinds[tamper.__name__] = kinds.get(tamper.__name__, 0) + 1
        assert audit_trail.verify(conn, key, recorded).ok, "rollback left a trace"
        assert missed == [], missed
        assert sum(kinds.values()) == TRIALS
        assert len(kinds) == len(TAMPERINGS)
    finally:
        opened.close()
