"""What every test shares: the tiers' markers and the fixtures of tests/support.

Every test under tests/integration is marked ``integration`` and every test under tests/e2e
``e2e``, by where it lives, so ``pytest -m "not integration and not e2e"`` runs the quick tier
(domain rules and use cases on SQLite in memory) with no broker and no PostgreSQL.
"""

from pathlib import Path

import pytest

import gateway.generated  # noqa: F401  (the crm.v1 stubs, for every test module that imports them)

pytest_plugins = ("tests.support.fixtures", "tests.support.usecases")

TESTS = Path(__file__).resolve().parent
TIERS = {TESTS / "integration": pytest.mark.integration, TESTS / "e2e": pytest.mark.e2e}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(item.path).resolve()
        for folder, marker in TIERS.items():
            if path.is_relative_to(folder):
                item.add_marker(marker)
