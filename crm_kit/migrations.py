"""The body of every service's ``migrations/env.py``; the runner is ``crm_ops.migrations``."""

from __future__ import annotations

from sqlalchemy import MetaData


def run_env(target_metadata: MetaData) -> None:
    """Run alembic online against the URL the runner configured (SQLite in batch mode)."""
    from alembic import context
    from sqlalchemy import engine_from_config, pool

    config = context.config
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
