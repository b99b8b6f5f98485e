"""`intsec export`: the real command line on a populated vault (profiles, formats, drift, refusals)."""

from __future__ import annotations

import base64
import json

import yaml

from tests.cli.conftest import CliVault, assert_one_line_error, run_intsec, snapshot


def test_export_writes_a_secret_free_resident_file(fresh: CliVault) -> None:
    out = fresh.home / "deploy" / "eu.yaml"
    out.parent.mkdir()
    fresh.ok("export", "--env", "production", "--region", "eu", "-o", str(out))
    data = out.read_bytes()
    tree = yaml.safe_load(data)
    acme = tree["integrations"]["bamboohr"]["customers"]["acme"]
    assert acme["credentials"]["api_key"]["ref"] == "${INTSEC_BAMBOOHR_ACME_API_KEY}"
    assert acme["credentials"]["api_key"]["owner"] == "dana@example.com"
    assert b"globex" not in data  # a US customer never appears in an EU export
    for secret in fresh.secrets.values():
        assert secret not in data
        assert base64.b64encode(secret) not in data
    again = fresh.home / "deploy" / "again.yaml"
    fresh.ok("export", "--env", "production", "--region", "eu", "-o", str(again))
    assert again.read_bytes() == data  # byte-identical


def test_profiles_add_list_edit_rm_and_check(fresh: CliVault) -> None:
    target = fresh.home / "eu.json"
    fresh.ok("export", "profile", "add", "eu-prod", "--region", "eu", "--format", "json",
             "--refs", "op", "--target", str(target))  # fmt: skip
    listed = fresh.json("export", "profile", "list")
    assert listed[0]["name"] == "eu-prod"
    assert listed[0]["dialect"] == "op"
    fresh.ok("export", "eu-prod")
    tree = json.loads(target.read_bytes())
    ref = tree["integrations"]["bamboohr"]["customers"]["acme"]["credentials"]["api_key"]["ref"]
    assert ref == "op://intsec-production/bamboohr.acme/api_key"
    assert fresh.ok("export", "--check", str(target)).code == 0
    fresh.ok("customer", "edit", "acme", "--name", "Acme Europe GmbH")
    drift = fresh.run("export", "--check", str(target))
    assert drift.code == 7, drift
    assert b"customers.acme.name" in drift.stdout
    assert b"Acme Europe GmbH" in drift.stdout
    fresh.ok("export", "profile", "edit", "eu-prod", "--refs", "vault")
    assert fresh.json("export", "profile", "list")[0]["dialect"] == "vault"
    fresh.ok("export", "profile", "rm", "eu-prod")
    assert fresh.json("export", "profile", "list") == []


def test_dotenv_and_k8s_to_stdout(fresh: CliVault) -> None:
    env = fresh.ok("export", "--region", "eu", "--format", "dotenv", "-o", "-").stdout
    assert b"\nINTSEC_BAMBOOHR_ACME_API_KEY=${INTSEC_BAMBOOHR_ACME_API_KEY}\n" in env
    k8s = fresh.ok("export", "--region", "eu", "--format", "k8s", "--refs", "aws").stdout
    docs = [d for d in yaml.safe_load_all(k8s) if d]
    assert {d["kind"] for d in docs} == {"ExternalSecret"}
    stores = {d["spec"]["secretStoreRef"]["name"] for d in docs}
    assert stores <= {"intsec-eu", "intsec-shared"}


def test_a_planted_secret_refuses_with_exit_6(fresh: CliVault) -> None:
    secret = fresh.secrets["bamboohr/acme/production/api_key"]
    fresh.ok("customer", "edit", "acme", "--name", "Acme " + secret.hex())
    out = fresh.home / "leak.yaml"
    result = fresh.run("export", "--region", "eu", "-o", str(out))
    assert_one_line_error(result, 6, "bamboohr/acme/production/api_key")
    assert secret.hex().encode() not in result.stderr
    assert not out.exists()
    result = fresh.run("export", "--region", "eu")  # stdout is guarded too
    assert result.code == 6, result
    assert result.stdout == b""


def test_bad_input(fresh: CliVault) -> None:
    before = snapshot(fresh.folder)
    assert_one_line_error(fresh.run("export"), 2, "--region")
    assert_one_line_error(fresh.run("export", "nope"), 1, "no export profile")
    link = fresh.home / "link.yaml"
    link.symlink_to(fresh.home / "elsewhere.yaml")
    assert_one_line_error(fresh.run("export", "--region", "eu", "-o", str(link)), 2, "symbolic")
    foreign = fresh.home / "foreign.yaml"
    foreign.write_text("mine: true\n")
    assert_one_line_error(fresh.run("export", "--region", "eu", "-o", str(foreign)), 1, "--force")
    fresh.ok("export", "--region", "eu", "-o", str(foreign), "--force")
    missing = fresh.home / "no-such-dir" / "x.yaml"
    assert_one_line_error(fresh.run("export", "--region", "eu", "-o", str(missing)), 1, "exist")
    assert_one_line_error(fresh.run("export", "--check", str(fresh.home / "absent")), 1, "read")
    assert snapshot(fresh.folder) != before  # each guarded export leaves its one audit event


def test_a_profile_naming_a_deleted_integration(fresh: CliVault) -> None:
    fresh.ok("integration", "add", "workday", "--name", "Workday", "--category", "hris",
             "--method", "api")  # fmt: skip
    fresh.ok("export", "profile", "add", "wd", "--region", "eu", "--integration", "workday")
    fresh.ok("integration", "rm", "workday")
    assert_one_line_error(fresh.run("export", "wd"), 1, "no longer exist: workday")


def test_run_injects_env_references_without_writing_them(fresh: CliVault) -> None:
    secret = fresh.secrets["bamboohr/acme/production/api_key"]
    unlock = ["--vault", str(fresh.folder), "--passphrase-file", str(fresh.passphrase_file)]
    result = run_intsec(
        "run", *unlock, "--env", "production", "--region", "eu", "--",
        "sh", "-c", 'test "$INTSEC_BAMBOOHR_ACME_API_KEY" = "$WANT" && echo same',
        home=fresh.home, env={"WANT": secret.decode()},
    )  # fmt: skip
    assert result.code == 0, result
    assert result.out.strip() == "same"
    assert secret not in result.stderr
    before = set(fresh.home.rglob("*"))
    assert_one_line_error(run_intsec("run", *unlock, "--env", "production", home=fresh.home), 2)
    assert set(fresh.home.rglob("*")) == before  # nothing written
