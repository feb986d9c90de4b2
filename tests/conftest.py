"""Session-wide infrastructure for integration and end-to-end tests (see tests/support)."""

import pytest

import gateway.generated  # noqa: F401  (the crm.v1 stubs, for every test module that imports them)


@pytest.fixture(scope="session")
def infra():
    from tests.support.platform import Infrastructure

    infrastructure = Infrastructure()
    yield infrastructure
    infrastructure.close()
