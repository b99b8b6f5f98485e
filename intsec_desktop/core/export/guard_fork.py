"""The leak guard built in a forked child, on another core, while this process renders.

On the issue's benchmark (60,000 values) reading, opening and indexing the values costs about
0.4 s of CPU and rendering about 0.8 s; one after the other they miss the 1 s target. The child
opens its own connection (a connection must never cross a fork), reads and opens every kept
value, builds the guard, then checks the bytes the parent sends and answers with the verdict:
names and encodings only. Values never leave the child, which ends with os._exit.

Used only where a fork is safe and useful: POSIX, more than one CPU, no other thread in this
process (a fork copies locks held by other threads), and no open transaction (the child could
not see its changes). Otherwise, and whenever the child fails, the caller guards in-process."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from intsec_desktop.core import errors
from intsec_desktop.core.errors import IntsecError, LeakFoundError
from intsec_desktop.core.export.guard import GuardHit, LeakGuard, describe, too_short_error
from intsec_desktop.core.scan.patterns import SecretEntry

_LENGTH = struct.Struct("!Q")


def fork_is_useful() -> bool:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return hasattr(os, "fork") and (cpus or 1) > 1 and _single_threaded()


def _single_threaded() -> bool:
    """Native threads count too (Qt's, D-Bus's): Linux lists them all under /proc."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


@dataclass(frozen=True, slots=True)
class Read:
    """What a read of the kept values covered (for the audit event and clearances)."""

    credentials: int
    values: int
    stamp: str  # clearance_repo.values_stamp of the values read


@dataclass(frozen=True)
class KeptValues:
    entries: list[SecretEntry] = field(repr=False)
    credentials: int
    stamp: str

    def read(self) -> Read:
        return Read(self.credentials, len(self.entries), self.stamp)


class ChildFailedError(Exception):
    """The child could not guard (it died, or failed in a way the parent should retry)."""


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


def _receive(sock: socket.socket) -> bytes:
    head = _exactly(sock, _LENGTH.size)
    return _exactly(sock, _LENGTH.unpack(head)[0])


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise ChildFailedError("the guard process ended early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class ForkedGuard:
    """Parent side. `read()` waits for the child's read (for the audit event); `check(data)`
    raises LeakFoundError like LeakGuard.check; `close()` always reaps the child."""

    def __init__(self, pid: int, sock: socket.socket) -> None:
        self._pid = pid
        self._sock = sock
        self._read: Read | None = None

    def read(self) -> Read:
        if self._read is None:
            answer = self._answer("read")
            self._read = Read(
                int(answer["credentials"]), int(answer["values"]), str(answer["stamp"])
            )
        return self._read

    def check(self, data: bytes) -> None:
        self.read()
        try:
            _send(self._sock, data)
        except OSError as exc:
            raise ChildFailedError("the guard process ended early") from exc
        answer = self._answer("verdict")
        too_short = [str(label) for label in answer["too_short"]]
        if too_short:
            raise too_short_error(too_short)
        hits = [GuardHit(str(c), int(v), str(e), int(line)) for c, v, e, line in answer["hits"]]
        if hits:
            raise LeakFoundError(describe(hits))

    def _answer(self, expected: str) -> dict[str, Any]:
        """JSON, not pickle: nothing that crosses a process boundary is ever executed."""
        try:
            answer = json.loads(_receive(self._sock))
        except (OSError, ValueError) as exc:
            raise ChildFailedError("the guard process ended early") from exc
        if answer.get("kind") == "error":
            raise _error_from(answer)
        if answer.get("kind") != expected:
            raise ChildFailedError("the guard process answered out of turn")
        return cast(dict[str, Any], answer)

    def close(self) -> None:
        self._sock.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)


def _error_from(answer: dict[str, Any]) -> Exception:
    """Our own errors come back as themselves (same class and message); anything else makes
    the caller guard in-process."""
    kind = getattr(errors, str(answer.get("class")), None)
    if isinstance(kind, type) and issubclass(kind, IntsecError):
        return kind(str(answer.get("message")))
    return ChildFailedError(str(answer.get("class")))


def start(read_values: Callable[[], KeptValues]) -> ForkedGuard:
    """Fork; the child calls `read_values` (which must open its own connection) and serves."""
    parent_end, child_end = socket.socketpair()
    pid = os.fork()
    if pid:
        child_end.close()
        return ForkedGuard(pid, parent_end)
    parent_end.close()
    _serve(child_end, read_values)
    raise AssertionError("unreachable")  # _serve never returns


def _serve(sock: socket.socket, read_values: Callable[[], KeptValues]) -> None:
    status = 0
    try:
        kept = read_values()
        guard = LeakGuard.from_entries(kept.entries)
        read = kept.read()
        _reply(sock, {"kind": "read", "credentials": read.credentials, "values": read.values,
                      "stamp": read.stamp})  # fmt: skip
        data = _receive(sock)
        hits = [] if guard.too_short else guard.hits(data)
        found = [[h.credential, h.version, h.encoding, h.line] for h in hits]
        _reply(sock, {"kind": "verdict", "too_short": list(guard.too_short), "hits": found})
    except IntsecError as exc:  # messages of ours never hold a value
        _reply(sock, {"kind": "error", "class": type(exc).__name__, "message": str(exc)})
    except BaseException as exc:  # noqa: BLE001 - whatever it was, the parent guards in-process
        _reply(sock, {"kind": "error", "class": type(exc).__name__})
        status = 1
    finally:
        os._exit(status)


def _reply(sock: socket.socket, answer: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        _send(sock, json.dumps(answer).encode())
