"""Hostile files for the importers (.env, JSON, YAML), the scope catalogs and the grant files
(hypothesis): random bytes and structures, deep nesting, huge numbers, invalid UTF-8, NUL
bytes, very long lines, many and repeated keys, YAML tags, anchors and aliases. Only
documented errors, each call under 1 s of CPU and 200 MiB; alias bombs refused in under 1 s
and 50 MiB; Python tags refused without running anything."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import strategies as st

from intsec_desktop.core import paths, scopes
from intsec_desktop.core.errors import NotFoundError, ValidationError
from intsec_desktop.core.importers.envfile import FileFormat, render
from intsec_desktop.core.importers.import_file import read_plan
from intsec_desktop.core.model import Method
from intsec_desktop.core.scope_catalog import Catalog, builtin_catalog, parse_catalog
from tests.security.conftest import Figures
from tests.security.hostile import (
    BOMB_MEMORY_LIMIT_BYTES,
    CANARY,
    PYTHON_TAG_PAYLOADS,
    SOAK,
    Hostility,
    Probe,
    alias_bomb,
    any_text,
    documents,
    merge_bomb,
    run_examples,
    to_bytes,
)
from tests.unit.test_scopes import GRANT_FILE  # the unit tests' valid grant file

CUSTOMERS = ["acme", "globex"]
DOTENV_SEED = f"""# database
export A_API_KEY={CANARY}
DB_PASSWORD="multi
line \\" value"
NAME='literal $x'  # comment
EMPTY=
REF=${{OTHER:-default}}
""".encode()
JSON_SEED = f"""{{
  "A_API_KEY": "{CANARY}",
  "DB_PASSWORD": "correct horse battery",
  "nested": {{"x": [1, 2.5, null, true]}},
  "PORT": 8080
}}
""".encode()
YAML_SEED = f"""A_API_KEY: {CANARY}
DB_PASSWORD: "correct horse battery"
defaults: &defaults
  adapter: postgres
development:
  <<: *defaults
  pool: 5
PORT: 8080
""".encode()
GRANT_SEED = (GRANT_FILE + "  greenhouse:\n    default:\n      Candidate: {read: allow}\n").encode()
CATALOG_SEEDS = [
    p.read_bytes() for p in sorted((paths.resources_dir() / "catalogs").glob("*.yaml"))
]
CATALOGS = {"bamboohr": "hris", "greenhouse": "ats"}


# --- the entry points, as the CLI and the app call them --------------------------------------


def importer(fmt: FileFormat, folder: Path) -> Callable[[bytes], object]:
    """read_plan (read, parse, decide what is secret) and the file it writes back afterwards."""
    source = folder / f"hostile.{fmt.value}"

    def call(data: bytes) -> None:
        source.write_bytes(data)
        plan = read_plan(source, "bamboohr", "acme", fmt.value)
        render(plan.text, plan.entries, plan.mapping, plan.items, fmt)

    return call


def catalog_for(slug: str) -> Catalog:
    if slug not in CATALOGS:
        raise NotFoundError(f"no integration {slug!r}")  # what the vault says
    return builtin_catalog(CATALOGS[slug])


def grant_file(data: bytes) -> None:
    """parse_grant_file, then what apply and diff do with the grants (the CLI decodes strictly;
    surrogateescape also tries the lone surrogates another caller could pass)."""
    text = data.decode("utf-8", "surrogateescape")
    for slug, grants in scopes.parse_grant_file(text, "hostile.yaml", catalog_for).items():
        catalog = catalog_for(slug)
        scopes.diff_grant_sets(catalog, [], grants, CUSTOMERS)
        scopes.findings(slug, Method.API, catalog, grants, CUSTOMERS)


def catalog(data: bytes) -> None:
    parsed = parse_catalog(data.decode("utf-8", "surrogateescape"), "hostile.yaml")
    scopes.findings(
        "x", Method.API, parsed, scopes.preset_grants(parsed, scopes.Preset.FULL, None), CUSTOMERS
    )


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Probe]:
    folder = tmp_path_factory.mktemp("hostile-input")
    return {
        "import .env": Probe("import .env", importer(FileFormat.DOTENV, folder)),
        "import JSON": Probe("import JSON", importer(FileFormat.JSON, folder)),
        "import YAML": Probe("import YAML", importer(FileFormat.YAML, folder)),
        "grant file": Probe("grant file", grant_file),
        "catalog": Probe("catalog", catalog),
    }


# --- hostile files of the right shape ------------------------------------------------------


def mostly(valid: list[str] | st.SearchStrategy[str], odds: int = 4) -> st.SearchStrategy[str]:
    """A valid name, else (about once in `odds`) any text at all."""
    names = st.sampled_from(valid) if isinstance(valid, list) else valid
    return st.tuples(st.integers(0, odds - 1), names, any_text).map(
        lambda t: t[2] if t[0] == odds - 1 else t[1]
    )


@st.composite
def shaped_grant_files(draw: st.DrawFn) -> bytes:
    integrations = {}
    for slug in draw(st.lists(mostly(list(CATALOGS), odds=10), min_size=1, max_size=3)):
        spec = catalog_for(slug) if slug in CATALOGS else builtin_catalog("crm")
        targets = [m.name for m in spec.models] + [f"{m.name}.*" for m in spec.models]
        targets += [f"{m.name}.{f.name}" for m in spec.models for f in m.fields]
        actions = st.dictionaries(
            mostly(["read", "write"], odds=10), mostly(["allow", "deny"], odds=10), max_size=2
        )
        level = st.dictionaries(mostly(targets, odds=10), actions, max_size=6)
        body = {"default": draw(level | st.none())}
        if draw(st.booleans()):
            body["customers"] = draw(st.dictionaries(mostly(CUSTOMERS), level, max_size=3))
        integrations[slug] = body
    document = {"schema": draw(mostly([scopes.SCHEMA], odds=20)), "integrations": integrations}
    flow = draw(st.sampled_from([None, False]))
    return to_bytes(yaml.safe_dump(document, default_flow_style=flow))


@st.composite
def shaped_catalogs(draw: st.DrawFn) -> bytes:
    names = mostly(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True), odds=10)
    model = st.fixed_dictionaries(
        {
            "actions": st.lists(mostly(["read", "write"], odds=10), min_size=1, max_size=3),
            "fields": st.dictionaries(
                names,
                st.lists(mostly(["pii", "financial", "sensitive"], odds=10), max_size=3),
                min_size=1,
                max_size=5,
            ),
        }
    )
    document = {
        "category": draw(mostly(["hris", "crm"])),
        "models": draw(st.dictionaries(names, model, min_size=1, max_size=4)),
    }
    flow = draw(st.sampled_from([None, False]))
    return to_bytes(yaml.safe_dump(document, default_flow_style=flow))


STRATEGIES = {
    "import .env": documents([DOTENV_SEED], "dotenv", Hostility(yaml_syntax=False)),
    "import JSON": documents([JSON_SEED], "json", Hostility(yaml_syntax=False)),
    "import YAML": documents([YAML_SEED, JSON_SEED], "yaml", Hostility()),
    "grant file": documents([GRANT_SEED], "yaml", Hostility(), shaped=shaped_grant_files()),
    "catalog": documents(CATALOG_SEEDS, "yaml", Hostility(), shaped=shaped_catalogs()),
}


@pytest.mark.parametrize("soak", SOAK)
@pytest.mark.parametrize("name", list(STRATEGIES))
def test_hostile_files(name: str, soak: bool, probes: dict[str, Probe], figures: Figures) -> None:
    probe = Probe(name, probes[name].call)  # its own counts: the dedicated cases add none
    run_examples(probe, STRATEGIES[name], soak, figures)
    assert len(probe.outcomes) > 1, probe.outcomes  # and not everything got through either


# --- dedicated cases --------------------------------------------------------------------------

YAML_TARGETS = ["import YAML", "grant file", "catalog"]
REFUSED = {
    "import YAML": "UsageError",
    "grant file": "ValidationError",
    "catalog": "ValidationError",
}


@pytest.mark.parametrize("name", YAML_TARGETS)
@pytest.mark.parametrize(
    "bomb",
    [("aliases", alias_bomb(9)),
     ("one line", "l: " + alias_bomb(9, one_line=True)),
     ("merge keys", merge_bomb(9))],
    ids=lambda case: case[0],
)  # fmt: skip
def test_alias_bomb_is_refused(
    name: str, bomb: tuple[str, str], probes: dict[str, Probe], figures: Figures
) -> None:
    """9 lines that stand for 9**9 (387 million) strings."""
    style, text = bomb
    outcome = probes[name].attempt(text.encode(), memory_limit=BOMB_MEMORY_LIMIT_BYTES)
    assert outcome.kind == REFUSED[name]
    figures.record("hostile input", f"alias bomb ({style}), {name}",
                   f"refused in {outcome.cpu * 1000:.1f} ms CPU, {outcome.peak / 1024:.0f} KiB"
                   " (limits 1 s, 50 MiB)")  # fmt: skip


@pytest.mark.parametrize("name", YAML_TARGETS)
def test_an_alias_inside_its_own_anchor_is_refused(name: str, probes: dict[str, Probe]) -> None:
    assert probes[name].attempt(b"a: &a [x, *a]\n").kind == REFUSED[name]


@pytest.mark.parametrize("name", YAML_TARGETS)
@pytest.mark.parametrize("payload", list(PYTHON_TAG_PAYLOADS))
def test_python_tags_are_refused_and_run_nothing(
    name: str, payload: str, probes: dict[str, Probe], tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    tagged = PYTHON_TAG_PAYLOADS[payload].format(marker=marker)
    for document in (f"{tagged}\n", f"category: {tagged}\nmodels: {{}}\n", f"A_KEY: {tagged}\n"):
        assert probes[name].attempt(document.encode()).kind == REFUSED[name], document
    assert not marker.exists()


@pytest.mark.parametrize("tag", ["!!python/name:os.system", "!!str", "!custom", "!!binary"])
def test_any_tag_in_a_grant_file_is_refused(tag: str) -> None:
    """Scope files are plain text, lists and mappings. A tagged value used to pass as the text
    after the tag, `!!python/name:os.system` included."""
    text = GRANT_SEED.replace(
        b"Candidate: {read: allow}", b"Candidate: {read: " + tag.encode() + b" allow}"
    )
    with pytest.raises(ValidationError, match=r"^hostile\.yaml:12: YAML tags are not allowed$"):
        grant_file(text)


@pytest.mark.parametrize(
    ("name", "document", "kind"),
    [
        ("import .env", b"A_TOKEN=a" + b" " * 200_000 + b"b #", "accepted"),
        ("import .env", b"A_TOKEN=" + b"${a:-" * 40_000, "accepted"),
        ("import JSON", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "UsageError"),
        ("import JSON", b'{"A_API_KEY": "\\ud800 lone surrogate"}', "UsageError"),
        ("import YAML", b"a: " + b"[" * 100_000 + b"]" * 100_000, "UsageError"),
        ("import YAML", b"a: 1" + b":59" * 100_000, "UsageError"),
        ("import YAML", b"a: 1" + b":59" * 300 + b".5", "UsageError"),
        ("import YAML", b"!!float : x\n", "UsageError"),
        ("import YAML", b"a: !!bool maybe\n", "UsageError"),
        ("import JSON", b'{"-\\r\\u001b[2J": "rk_live_0000000000AAAAAA"}', "UsageError"),
        ("grant file", b"a: " + b"[" * 100_000, "ValidationError"),
        (
            "grant file",
            b"a:\n" + b"".join(b" " * i + b"-\n" for i in range(1, 1200)),
            "ValidationError",
        ),
        (
            "catalog",
            b"category: !!python/name:os.system x\nmodels:\n  A: {actions: [read], fields: {a: []}}\n",
            "ValidationError",
        ),
    ],
    ids=[
        "dotenv-blank-run-was-30s",
        "dotenv-unclosed-references-was-30s",
        "json-deep-was-RecursionError",
        "json-lone-surrogate-was-UnicodeEncodeError",
        "yaml-deep-was-RecursionError",
        "yaml-base-60-int-was-ValueError-after-2.5s",
        "yaml-base-60-float-was-OverflowError",
        "yaml-empty-float-was-IndexError",
        "yaml-bad-bool-was-KeyError",
        "json-key-with-control-characters-was-printed-raw",
        "grant-deep-flow-was-90s",
        "grant-deep-block-was-RecursionError",
        "catalog-python-tag-was-accepted",
    ],
)
def test_found_by_fuzzing(name: str, document: bytes, kind: str, probes: dict[str, Probe]) -> None:
    assert probes[name].attempt(document).kind == kind
