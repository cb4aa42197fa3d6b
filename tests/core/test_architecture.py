"""The order of the code is checked by `lint-imports` in `make test` (contracts in pyproject.toml).
Here: the project's own contract type, and the configuration it is given."""

import tomllib
from pathlib import Path

import grimp

from tests.architecture import DoorsContract

ROOT = Path(__file__).resolve().parents[2]


def doors_contract():
    return DoorsContract(
        name="doors",
        session_options={},
        contract_options={"apps": ["p.a", "p.b"], "doors": ["models", "services", "api.serializers"]},
    )


def graph(*imports):
    g = grimp.ImportGraph()
    for package in ("p", "p.a", "p.b"):
        g.add_module(package)
    for importer, imported in imports:
        g.add_import(importer=importer, imported=imported, line_number=3, line_contents="import x")
    return g


def test_imports_through_doors_are_kept():
    check = doors_contract().check(
        graph(
            ("p.a.views", "p.b.models"),
            ("p.a.services", "p.b.services"),
            ("p.a.api.x", "p.b.api.serializers"),
        ),
        verbose=False,
    )
    assert check.kept


def test_an_import_of_another_apps_inner_room_breaks_it():
    check = doors_contract().check(
        graph(("p.a.services", "p.b.workflow"), ("p.a.views", "p.b.views"), ("p.a.x", "p.a.views")),
        verbose=False,
    )
    assert not check.kept
    assert [(i, j) for i, j, _lines in check.metadata["invalid"]] == [
        ("p.a.services", "p.b.workflow"),
        ("p.a.views", "p.b.views"),
    ]


def test_every_domain_app_is_under_the_contracts():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = {c["id"]: c for c in config["contracts"]}
    domain = {
        f"apps.{p.name}"
        for p in (ROOT / "apps").iterdir()
        if (p / "services.py").exists() or (p / "services").is_dir()
    } - {"apps.accounts", "apps.audit", "apps.notifications", "apps.documents", "apps.webhooks"}
    assert domain <= set(contracts["domain-rooms"]["containers"])
    assert domain <= set(contracts["domain-doors"]["apps"])
    layered = {m.strip() for layer in contracts["apps-layers"]["layers"] for m in layer.split("|")}
    every_app = {f"apps.{p.name}" for p in (ROOT / "apps").iterdir() if (p / "apps.py").exists()}
    assert every_app <= layered, "a new app must take its place in the order of the apps"
