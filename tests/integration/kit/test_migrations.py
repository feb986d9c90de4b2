"""Every service's alembic migrations build exactly the schema its models describe: a fresh
PostgreSQL database upgraded to head, compared with the models' metadata by alembic's
autogenerate, shows no difference. A model changed without its migration (or the other way
round) fails here, not in production."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from crm_kit.db import Database
from crm_ops.registry import service_class, service_names
from tests.support.platform import sqlalchemy_url

pytestmark = pytest.mark.integration


def service_metadata(service: str):
    """The metadata the service's Database dependency serves (its models and outbox/inbox)."""
    databases = [value for value in vars(service_class(service)).values() if isinstance(value, Database)]
    assert len(databases) == 1, f"{service} declares {len(databases)} Database dependencies"
    return databases[0].metadata


@pytest.mark.parametrize("service", service_names())
def test_migrations_match_the_models(infra, service: str) -> None:
    url = infra.service_database(f"crm_test_migrations_{service}", service=service)
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, service_metadata(service))
    finally:
        engine.dispose()
    assert differences == [], f"{service}: migrations and models differ: {differences}"
