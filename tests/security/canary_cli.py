"""Every `intsec` feature run against the canary vault as a child process, the failing paths too
(some with --debug, which prints tracebacks). Exit codes are checked, so each command really ran
the path it names. Commands grouped in one `each` do not depend on each other."""

from __future__ import annotations

import base64
import json
import socket
import sys
from pathlib import Path

from tests.security import canary_world as w
from tests.security.canary_world import World, q
from tests.security.sweep_keyring import STORE_ENV

# Exit codes (intsec --help); MISSING is the vault's.
OTHER, USAGE, AUTH, MISSING, LEAK, DRIFT, OVERDUE = 1, 2, 3, 4, 6, 7, 8


def catalog(world: World) -> None:
    world.each(
        "integration add salesforce --name Salesforce --category crm --method assisted"
        " --vendor 'Salesforce Inc' --base-url eu=https://eu.sf.example.com",
        "integration add scratch --name Scratch --category custom --method file",
        "integration edit bamboohr --console-url https://bamboohr.example.com/keys"
        " --rotation-steps 'open the console\\nrevoke the old key' --soc2-expires 2027-06-30",
        "customer add umbrella --name Umbrella --region apac",
    )
    world.each("integration rm scratch", "customer edit umbrella --name 'Umbrella Corp'")
    world.run("customer rm umbrella")
    world.each("integration list", "integration list --json", "customer list --json")


def credentials(world: World) -> None:
    world.each(
        *(
            (
                f"cred add --integration salesforce --customer acme --env {w.ENVIRONMENTS[n % 3]}"
                f" --name cli_{i} --kind oauth_client_secret --owner dana@example.com"
                " --expires 2031-01-31 --rotate-every 90 --remind 14,3 --notes 'from the sweep'"
                + (" --json" if n % 2 else ""),
                world.canary(i),
            )
            for n, i in enumerate(w.CLI_ADDED)
        ),
        (
            "cred add --integration salesforce --name debug_added --debug --json",
            world.canary(w.ADDED_WITH_DEBUG),
        ),
    )
    world.each(
        *(
            (
                f"cred rotate {w.seeded_path(10 + n)} --note https://tickets.example.com/T-9"
                f" --old-revoked {'yes' if n % 2 else 'no'}",
                world.canary(i),
            )
            for n, i in enumerate(w.ROTATED, start=1)
        )
    )
    world.each(
        "cred list",
        "cred list --json",
        "cred list --integration bamboohr --env production",
        "cred list --status expired --json",
        "cred list --expiring-within 30 --customer acme",
        f"cred show {w.seeded_path(11)}",
        f"cred show {w.seeded_path(12)} --json",
        "cred show 1",
        f"cred edit {w.seeded_path(13)} --owner eve@example.com --notes moved --expires none"
        " --rotate-every 30 --remind 7,1",
        f"cred rm {w.seeded_path(14)} --yes",
    )
    # The one command that prints a secret by design. Its stdout is compared here and then left
    # out of the log, so this one stream is not searched for canary 0 (everything else is).
    shown = world.run(f"cred reveal {w.seeded_path(w.REVEALED)}", keep_stdout=False)
    revealed = shown.rstrip(b"\n") == world.canary(w.REVEALED)  # a bool: pytest prints operands
    assert revealed, "cred reveal printed another value"


def members_and_keyslots(world: World) -> None:
    """One at a time: each of these rewrites the key-slot file."""
    run, outside = world.run, world.outside_file
    extra = outside("extra-pass", world.canary(w.EXTRA_PASSPHRASE) + b"\n")
    run(f"keyslot add-passphrase --new-passphrase-file {q(extra)} {' '.join(w.FAST_KDF)}")
    run("cred list", passphrase=extra)
    slots = json.loads(run("keyslot list --json"))
    run(f"keyslot remove {slots[-1]['id']}")
    run("cred list", code=AUTH, passphrase=extra)
    run("keyslot add-keyring")
    run("keyslot list")

    one_time = outside("viewer-one-time", world.canary(w.VIEWER_ONE_TIME) + b"\n")
    own = outside("viewer-own", world.canary(w.VIEWER_OWN) + b"\n")
    run(f"member add vera --role viewer --member-passphrase-file {q(one_time)}")
    run("member add eddie --role editor")  # a generated passphrase, printed once
    run("cred list", code=AUTH, member="vera", passphrase=one_time)  # must choose her own first
    run(f"passwd --new-passphrase-file {q(own)}", member="vera", passphrase=one_time)
    run("cred list --json", member="vera", passphrase=own)
    run(f"cred reveal {w.seeded_path(20)}", code=AUTH, member="vera", passphrase=own)
    run(
        "cred add --integration bamboohr --name by_viewer --debug",
        code=OTHER,  # --debug: the PermissionDeniedError's traceback
        member="vera",
        passphrase=own,
        stdin=world.canary(w.VIEWER_ADD),
    )
    run("member role eddie admin")
    run("member list --json")

    new = outside("new-pass", world.canary(w.NEW_PASSPHRASE) + b"\n")
    run(f"passwd --new-passphrase-file {q(new)}")
    run("doctor", passphrase=new)
    run(f"passwd --new-passphrase-file {q(world.passphrase_file)}", passphrase=new)


def imports(world: World) -> None:
    """Each format's file holds four canaries; --rewrite leaves references in their place."""
    folder = world.work / "imports"
    folder.mkdir()
    names = ("API_KEY", "WEBHOOK_SECRET", "ACCESS_TOKEN", "DB_PASSWORD")
    lines = []
    for fmt, indexes in w.IMPORTED.items():
        values = {
            f"{fmt.upper()}_{name}": world.canary(i).decode()
            for name, i in zip(names, indexes, strict=True)
        }
        values["LOG_LEVEL"] = "debug"
        if fmt == "dotenv":
            text = "".join(f'{k}="{v}"\n' for k, v in values.items())
        elif fmt == "json":
            text = json.dumps(values, indent=2)
        else:
            text = "".join(f"{k}: '{v}'\n" for k, v in values.items())
        source = folder / f"app.{'env' if fmt == 'dotenv' else fmt}"
        source.write_text(text)
        lines.append(
            f"import dotenv {q(source)} --integration greenhouse --customer globex --env staging"
            f" --yes --rewrite --format {fmt}" + (" --json" if fmt == "json" else "")
        )
    world.each(*lines)


def exports(world: World) -> None:
    out = world.work / "exports"
    out.mkdir()
    world.each(
        f"export --env production --region eu --format yaml --refs env -o {q(out / 'prod.yaml')}",
        f"export --env staging --region us --format json --refs op -o {q(out / 'staging.json')}",
        f"export --env development --region uk --format dotenv --refs vault -o {q(out / 'dev.env')}",
        f"export --env production --region us --format k8s --refs aws -o {q(out / 'k8s.yaml')}",
        "export --env staging --region eu --integration bamboohr",  # to stdout
        "export profile add eu-prod --env production --region eu --format yaml"
        f" --target {q(out / 'eu.yaml')}",
    )
    # `run` hands the secrets to its command's environment by design; this command prints
    # only how many it received.
    probe = "import os; print(sum(k.startswith('INTSEC_') for k in os.environ))"
    world.each(
        "export profile list",
        "export eu-prod",
        f"export --check {q(out / 'prod.yaml')}",
        f"run --env production --integration bamboohr -- {q(sys.executable)} -c {q(probe)}",
    )


def check_tampered_export(world: World) -> None:
    """A copy of an export with one reference replaced by a stored value, as if pasted in by
    hand: the drift report must name the path, not quote the value (it goes to CI logs)."""
    out = world.work / "exports"
    out.mkdir(exist_ok=True)
    world.run(f"export --env production --region eu -o {q(out / 'prod.yaml')}")
    text = (out / "prod.yaml").read_bytes()
    start = text.index(b"${")
    tampered = text[:start] + world.canary(w.TAMPERED) + text[text.index(b"}", start) + 1 :]
    world.run(f"export --check {q(world.outside_file('tampered.yaml', tampered))}", code=DRIFT)


def scopes(world: World) -> None:
    run = world.run
    world.each(
        "scopes add-field bamboohr Employee.badge_id --tag pii",
        "scopes set bamboohr --customer acme Employee.ssn read deny",
        "scopes preset greenhouse standard globex --default",
    )
    run("scopes set bamboohr Employee read allow")
    run("scopes copy bamboohr --from acme --to initech")
    run("scopes reset bamboohr initech")
    grants = world.work / "scopes.yaml"
    grants.write_bytes(run("scopes export"))
    world.each(
        "scopes show bamboohr --customer acme --json",
        "scopes diff bamboohr --customer acme --against globex",
        f"scopes diff --file {q(grants)}",
    )
    run(f"scopes apply {q(grants)}")
    run("scopes lint", code=OTHER)  # exit 1: there are findings


def _write_tree(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


CLEAN_FILES = {
    "settings.py": b"DEBUG = False\nAPI_URL = 'https://api.example.com'\n",
    "config/app.env": b"LOG_LEVEL=info\nAPI_KEY=${INTSEC_BAMBOOHR_ACME_KEY_000}\n",
    "README.md": b"# demo\n",
}


def scan_and_hooks(world: World) -> None:
    git = world.git
    clean = _write_tree(world.work / "clean-tree", CLEAN_FILES)
    repo = _write_tree(world.work / "repo", CLEAN_FILES)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    world.each(
        f"scan {q(clean)}",
        f"scan {q(clean)} --json --jobs 1",
        f"scan --git {q(repo)}",
        f"scan --git {q(repo)} --sarif",
    )
    world.run(f"hook install {q(repo)}")
    (repo / "more.py").write_bytes(b"print('hello')\n")
    git(repo, "add", "more.py")
    git(repo, "commit", "-q", "-m", "second")  # the hook scans while the vault stays locked
    world.run("hook refresh")

    one, two, three = (world.canary(i) for i in w.PLANTED)
    dirty = _write_tree(
        world.outside / "dirty",
        {
            "app.env": b"API_KEY=" + one + b"\n",
            "blob.json": b'{"data": "' + base64.b64encode(b"xx" + two) + b'"}\n',
            "dump.txt": b"key " + three.hex().encode() + b"\n",
        },
    )
    dirty_repo = _write_tree(world.outside / "dirty-repo", {"config.env": b"TOKEN=" + one + b"\n"})
    git(dirty_repo, "init", "-q", "-b", "main")
    world.run(f"hook install {q(dirty_repo)}")
    git(dirty_repo, "add", "config.env")
    git(dirty_repo, "commit", "-q", "-m", "leak", code=OTHER)  # blocked by the hook
    world.each(
        f"scan {q(dirty)}",
        f"scan {q(dirty)} --json",
        f"scan {q(dirty)} --sarif",
        f"scan --staged {q(dirty_repo)}",
        code=LEAK,
    )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_webhook(world: World) -> None:
    """The webhook URL is sealed like a secret; the unreachable endpoint makes both commands
    retry with backoff (about 7 s), so they run in the background while the rest goes on."""
    url = f"https://127.0.0.1:{_closed_port()}/services/{world.canaries[w.WEBHOOK].text}"
    world.run("webhook set", stdin=url.encode())
    plain = f"http://hooks.example.com/services/{world.canaries[w.PLAIN_HTTP_WEBHOOK].text}"
    world.run("webhook set --debug", code=OTHER, stdin=plain.encode())
    world.start("webhook", "test")
    world.start("reminders", "--notify")


def finish_webhook(world: World) -> None:
    world.finish({"webhook test": OTHER, "reminders --notify": OVERDUE})
    world.run("webhook clear")


def reminders_audit_doctor(world: World) -> None:
    world.each("reminders", "reminders --within 400 --json", code=OVERDUE)
    world.each(
        "audit list",
        "audit list --json",
        "audit list --csv",
        "audit list --action credential.* --text key_0 --limit 50 --json",
        "audit verify",
        "audit verify --json",
        "doctor --json",
    )


def errors(world: World) -> None:
    canary, outside = world.canary, world.outside_file
    integration, customer, environment, name = w.seeded_path(30).split("/")
    duplicate = (
        f"cred add --integration {integration} --customer {customer} --env {environment}"
        f" --name {name} --debug"
    )
    bad_yaml = outside("bad.yaml", b"API_KEY: '" + canary(w.MALFORMED_IMPORT) + b"'\n  x: [\n")
    bad_grants = outside("bad-grants.yaml", b"integrations: [unclosed\n")
    wrong = outside("wrong-pass", canary(w.WRONG_PASSPHRASE) + b"\n")
    missing = q(world.work / "missing.intsec")
    world.each(
        ("cred add --integration nosuch --name x1", canary(w.UNKNOWN_INTEGRATION)),
        (duplicate, canary(w.DUPLICATE)),
        ("cred rotate bamboohr/-/production/missing --debug", canary(w.ROTATE_MISSING)),
        "cred show 999999",
        f"cred reveal {w.seeded_path(11)} --version 99",
        "member add vera --role viewer",
        "keyslot remove no-such-slot",
        f"import dotenv {q(bad_yaml)} --integration bamboohr --yes --debug",
        f"cred list --vault {missing} --debug",
        code=OTHER,
    )
    world.each(
        ("cred add --integration bamboohr --name when --expires 2026-13-45", canary(w.DUPLICATE)),
        ("cred add --integration bamboohr --name short", b"tiny"),
        "cred list --bogus-option",
        "scopes set bamboohr NoSuchModel read allow",
        f"scopes apply {q(bad_grants)}",
        f"import dotenv {q(bad_yaml)} --integration bamboohr --yes",
        code=USAGE,
    )
    world.each(
        f"init --no-keyring {' '.join(w.FAST_KDF)}", f"cred list --vault {missing}", code=MISSING
    )
    world.run("cred list", passphrase=wrong, code=AUTH)
    world.run("cred list --debug", passphrase=wrong, code=OTHER)
    world.run("cred list", unlock=False)  # the keyring slot `keyslot add-keyring` made
    no_keyring = {STORE_ENV: ""}  # the slot's backend is then unusable
    world.run("cred list", unlock=False, env=no_keyring, code=AUTH)  # and no terminal either


def after_app(world: World) -> None:
    """Removing a member who could reveal makes every credential due for rotation: run last,
    since the app shows one notification per deadline when it unlocks."""
    world.run("member remove eddie")
    world.run("reminders --json", code=OVERDUE)
    world.run("cred list --status overdue --json")


def exercise(world: World) -> None:
    catalog(world)
    credentials(world)
    members_and_keyslots(world)
    imports(world)
    start_webhook(world)
    exports(world)
    scopes(world)
    scan_and_hooks(world)
    reminders_audit_doctor(world)
    errors(world)
    finish_webhook(world)
