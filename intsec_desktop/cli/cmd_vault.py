"""`intsec init`, `keyslot ...`, `passwd`, `demo` and `doctor`: the vault itself and its keys."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from intsec_desktop.cli import output, prompts
from intsec_desktop.cli.context import Context, Subcommands, note
from intsec_desktop.core import paths, services
from intsec_desktop.core.errors import UsageError, VaultDamagedError, VaultExistsError
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.timefmt import format_utc
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore


def _kdf_params(args: argparse.Namespace) -> KdfParams:
    memory, iterations = args.kdf_memory_mib, args.kdf_iterations
    if memory is None and iterations is None:
        from intsec_desktop.core.vault.crypto import calibrate

        note("calibrating passphrase hardening (Argon2id) for this machine ...")
        return calibrate()
    floor = KdfParams.floor()
    return KdfParams(
        memory_kib=memory * 1024 if memory is not None else floor.memory_kib,
        iterations=iterations if iterations is not None else floor.iterations,
        lanes=floor.lanes,
    ).checked()


def _new_passphrase(args: argparse.Namespace, option: str) -> str:
    path = getattr(args, option, None)
    passphrase = (
        prompts.read_passphrase_file(Path(path)) if path else prompts.prompt_new_passphrase()
    )
    if not passphrase:
        raise UsageError("the passphrase must not be empty")
    return passphrase


def _create(ctx: Context) -> VaultSession:
    folder = ctx.vault_dir
    if paths.keyslots_path(folder).exists() or paths.db_path(folder).exists():
        raise VaultExistsError(f"a vault already exists at {folder}")
    params = _kdf_params(ctx.args)  # validate before asking for anything
    passphrase = ctx.passphrase_from_file()
    if passphrase is None:
        passphrase = prompts.prompt_new_passphrase("--passphrase-file")  # init has no --new-...
    store = None
    keyring_note = None  # core's note for a vault without a keyring slot names --no-keyring
    if not ctx.args.no_keyring:
        status = DeviceKeyStore.detect()
        if status.usable:
            store = DeviceKeyStore.for_backend(status.backend_name)
        else:
            note(f"{status.reason}; the vault opens with the passphrase only")
            keyring_note = "not used (no usable OS keyring)"
    session, created = services.create_vault(folder, passphrase, params, keyring_store=store)
    keyring_note = keyring_note or created.keyring_note
    if ctx.as_json:
        output.emit_json(
            {
                "vault": str(session.folder),
                "vault_id": session.vault_id,
                "kdf": params.describe(),
                "keyring": keyring_note,
                "recovery_code": created.recovery_code,
            }
        )
    else:
        print(f"created vault {session.folder}")
        print(f"  passphrase slot: {params.describe()}")
        print(f"  keyring: {keyring_note}")
        print(f"  recovery code (shown once, keep it offline): {created.recovery_code}")
    return session


def init(ctx: Context) -> int:
    _create(ctx).close()
    return 0


def demo_fill(ctx: Context) -> int:
    folder = ctx.vault_dir
    fresh = not paths.keyslots_path(folder).exists()
    session = _create(ctx) if fresh else ctx.open_session()
    from intsec_desktop.core import demo

    with session:
        summary = demo.populate(session, credentials=ctx.args.credentials)
    target = sys.stderr if ctx.as_json else sys.stdout
    print(
        f"demo data: {summary.integrations} integrations, {summary.customers} customers,"
        f" {summary.credentials} credentials in {folder}",
        file=target,
    )
    return 0


def keyslot_list(ctx: Context) -> int:
    with ctx.open_session() as s:
        slots = s.list_keyslots()
    if ctx.as_json:
        output.emit_json([output.keyslot_json(k) for k in slots])
    else:
        output.emit_table(
            ["id", "kind", "member", "reveal", "created", "detail"],
            [
                [
                    k.id,
                    k.kind,
                    k.member,
                    "yes" if k.can_reveal else "no",
                    format_utc(k.created_at),
                    k.detail,
                ]
                for k in slots
            ],
        )
    return 0


def keyslot_add_passphrase(ctx: Context) -> int:
    params = _kdf_params(ctx.args)
    with ctx.open_session() as s:
        info = s.add_passphrase_slot(_new_passphrase(ctx.args, "new_passphrase_file"), params)
    print(f"added passphrase slot {info.id} ({info.detail})")
    return 0


def keyslot_add_keyring(ctx: Context) -> int:
    store = DeviceKeyStore.default()
    with ctx.open_session() as s:
        info = s.add_keyring_slot(store)
    print(f"added keyring slot {info.id} ({info.detail})")
    return 0


def keyslot_remove(ctx: Context) -> int:
    with ctx.open_session() as s:
        s.remove_keyslot(ctx.args.slot)
    print(f"removed key slot {ctx.args.slot}")
    return 0


def passwd(ctx: Context) -> int:
    with ctx.open_session(changing_passphrase=True) as s:
        info = s.change_passphrase(_new_passphrase(ctx.args, "new_passphrase_file"))
    print(f"passphrase changed (slot {info.id}); the old passphrase no longer opens the vault")
    return 0


def doctor(ctx: Context) -> int:
    with ctx.open_session() as s:
        problems = s.integrity_problems()
    if problems:
        for problem in problems:
            print(f"problem: {problem}")
        raise VaultDamagedError(f"{len(problems)} integrity problem(s) found")
    print("vault ok: database pages, key slots and audit chain verify")
    return 0


def _kdf_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kdf-memory-mib", type=int, metavar="M", help="Argon2id memory (floor 64)")
    p.add_argument("--kdf-iterations", type=int, metavar="T", help="Argon2id passes (floor 3)")


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[common], help="create a vault")
    p.add_argument(
        "--no-keyring", action="store_true", help="do not keep a device key in the OS keyring"
    )
    _kdf_options(p)
    p.set_defaults(handler=init)

    p = sub.add_parser("demo", parents=[common], help="fill the vault with realistic sample data")
    p.add_argument("--credentials", type=int, default=100, metavar="N")
    p.add_argument("--no-keyring", action="store_true", help="when creating: no keyring slot")
    _kdf_options(p)
    p.set_defaults(handler=demo_fill)

    p = sub.add_parser(
        "passwd", parents=[common], help="change your passphrase (re-wraps the key only)"
    )
    p.add_argument("--new-passphrase-file", metavar="FILE")
    p.set_defaults(handler=passwd)

    p = sub.add_parser(
        "doctor", parents=[common], help="check every page, key slot and audit event"
    )
    p.set_defaults(handler=doctor)

    ks = sub.add_parser("keyslot", help="ways to unlock the vault")
    ksub = ks.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = ksub.add_parser("list", parents=[common], help="list key slots")
    p.set_defaults(handler=keyslot_list)
    p = ksub.add_parser("add-passphrase", parents=[common], help="add another passphrase")
    p.add_argument("--new-passphrase-file", metavar="FILE")
    _kdf_options(p)
    p.set_defaults(handler=keyslot_add_passphrase)
    p = ksub.add_parser(
        "add-keyring", parents=[common], help="unlock on this device via the OS keyring"
    )
    p.set_defaults(handler=keyslot_add_keyring)
    p = ksub.add_parser("remove", parents=[common], help="remove a key slot")
    p.add_argument("slot", metavar="SLOT")
    p.set_defaults(handler=keyslot_remove)
