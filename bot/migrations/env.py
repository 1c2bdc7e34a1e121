"""Alembic environment: migrates the database named by the caller (bot/migrate.py)."""

from alembic import context

from bot.db import Base, get_engine
from bot.models import load_all_models

load_all_models()
config = context.config


def _database_url() -> str:
    configured = config.get_main_option("sqlalchemy.url")
    if not configured:
        raise RuntimeError("no sqlalchemy.url: run migrations through bot/migrate.py")
    return configured


url = _database_url()


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
