"""Session-wide infrastructure for integration and end-to-end tests (see tests/support)."""

import pytest


@pytest.fixture(scope="session")
def infra():
    from tests.support.platform import Infrastructure

    infrastructure = Infrastructure()
    yield infrastructure
    infrastructure.close()
