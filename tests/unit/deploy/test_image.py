"""The image holds every package the processes import: the Dockerfile copies the whole build
context and `pip install .` takes the packages pyproject.toml names, so the one list to keep
right is pyproject's, checked here against the folders that are packages."""

from __future__ import annotations

import fnmatch
import tomllib

from crm_kit.config import ROOT

NOT_SHIPPED = {"tests"}  # run from the work tree only


def _packages() -> list[str]:
    return sorted(path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name not in NOT_SHIPPED)


def _ignored() -> set[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return {line.strip().strip("/") for line in lines if line.strip() and not line.startswith("#")}


def test_pyproject_ships_every_top_level_package():
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]

    unshipped = [name for name in _packages() if not any(fnmatch.fnmatch(name, pattern) for pattern in include)]

    assert {"crm_kit", "crm_ops", "services", "gateway", "telephony", "bench"} <= set(_packages())
    assert unshipped == [], "add them to [tool.setuptools.packages.find] include in pyproject.toml"


def test_the_build_context_keeps_every_package():
    assert [name for name in _packages() if name in _ignored()] == []


def test_the_dockerfile_copies_the_context_not_a_list_of_packages():
    dockerfile = (ROOT / "deploy" / "templates" / "Dockerfile.j2").read_text()
    copies = [line.split() for line in dockerfile.splitlines() if line.startswith("COPY")]

    sources = [part for line in copies for part in line[1:-1] if not part.startswith("--")]
    assert "." in sources
    assert not any(source.rstrip("/") in _packages() for source in sources)
