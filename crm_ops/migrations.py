"""Alembic, per service: ``services/<name>/migrations`` upgraded against that service's URL."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from crm_kit.config import database_url
from crm_ops.registry import SERVICES_DIR


def alembic_config(service: str, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.set_main_option("sqlalchemy.url", (url or database_url(service)).replace("%", "%%"))
    return config


def upgrade(service: str, url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(service, url), revision)
