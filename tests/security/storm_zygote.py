"""Fork server for the kill -9 storm: imports once, then forks one writer per run.

Protocol (one line each, all writes are single os.write calls under PIPE_BUF, so a SIGKILL
never leaves half a line):
  stdin:   {"folder": ..., "code": ..., "seed": ...}      one run
  stdout:  {"ev": "ready", "pid": N}                      the writer unlocked the vault
           {"ev": "begin", "id": n, "op": ...}            about to call a service
           {"ev": "ack", "id": n}                         the service call returned (committed)
           {"ev": "error", "error": "..."}                the writer failed on its own
           {"ev": "exit", "pid": N, "status": S}          the writer is gone (from the server)
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

from intsec_desktop.core import services
from intsec_desktop.core.vault import audit

ORIGIN = audit.Origin(os_user="tester", host="testhost")
ENVIRONMENTS = ("production", "staging", "development")
REGIONS = ("us", "eu", "apac")
MAX_CREDENTIALS = 40
PR_SET_PDEATHSIG = 1


def emit(event: dict[str, Any]) -> None:
    os.write(1, (json.dumps(event, sort_keys=True) + "\n").encode())


def _path(integration: str, customer: str | None, environment: str, name: str) -> str:
    return f"{integration}/{customer or '-'}/{environment}/{name}"


def writer(folder: str, code: str, seed: int) -> None:
    """Random service calls until killed; every call announced before and acknowledged after."""
    rng = random.Random(seed)
    session = services.open_vault_with_secret(Path(folder), code, origin=ORIGIN)
    paths = [
        _path(c.integration, c.customer, c.environment.value, c.name)
        for c in (item.credential for item in session.list_credentials())
    ]
    customers = [c.slug for c in session.list_customers()]
    integrations = [i.slug for i in session.list_integrations()]
    emit({"ev": "ready", "pid": os.getpid()})
    n = 0
    while True:
        n += 1
        roll = rng.random()
        if not paths or (roll < 0.30 and len(paths) < MAX_CREDENTIALS):
            customer = rng.choice([None, *customers])
            path = _path(rng.choice(integrations), customer, rng.choice(ENVIRONMENTS), f"k{n}")
            secret = rng.randbytes(rng.randint(16, 200))
            op = {"op": "add", "path": path, "secret": secret.hex(), "owner": f"o{n}@example.com"}
            emit({"ev": "begin", "id": n, **op})
            integration, cust, env, name = path.split("/")
            session.add_credential(
                integration=integration,
                customer=None if cust == "-" else cust,
                environment=env,
                name=name,
                secret=secret,
                owner=op["owner"],
            )
            paths.append(path)
        elif roll < 0.50:
            path = rng.choice(paths)
            op = {"op": "edit", "path": path, "owner": f"e{n}@example.com", "notes": f"edit {n}"}
            emit({"ev": "begin", "id": n, **op})
            session.edit_credential(path, owner=op["owner"], notes=op["notes"])
        elif roll < 0.75:
            path = rng.choice(paths)
            secret = rng.randbytes(rng.randint(16, 200))
            emit({"ev": "begin", "id": n, "op": "rotate", "path": path, "secret": secret.hex()})
            session.rotate_credential(path, secret, note=f"rotation {n}")
        elif roll < 0.85:
            path = paths.pop(rng.randrange(len(paths)))
            emit({"ev": "begin", "id": n, "op": "remove", "path": path})
            session.remove_credential(path)
        else:
            slug = f"c{seed % 100000}n{n}"
            region = rng.choice(REGIONS)
            emit({"ev": "begin", "id": n, "op": "customer", "slug": slug, "region": region})
            session.add_customer(slug, f"Customer {n}", region)
            customers.append(slug)
        emit({"ev": "ack", "id": n})


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            # Dies with the server, so a failed test run never leaves a writer behind.
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            try:
                writer(request["folder"], request["code"], int(request["seed"]))
            except BaseException:  # noqa: BLE001 - anything the writer hits is reported, then exit
                emit({"ev": "error", "error": traceback.format_exc(limit=5)})
            finally:
                os._exit(70)
        _, status = os.waitpid(pid, 0)
        emit({"ev": "exit", "pid": pid, "status": status})


if __name__ == "__main__":
    main()
