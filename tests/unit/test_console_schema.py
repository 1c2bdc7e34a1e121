"""Migration 0003_console creates exactly the console's tables as the models declare
them (columns, types, indexes, constraints), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.console import models
from bot.db import Base, get_engine
from bot.models import load_all_models

CONSOLE_TABLES = {
    table.name
    for table in Base.metadata.tables.values()
    if table.name.startswith(("console_", "conversation_")) or table.name == "appointment_outcomes"
}


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request):
    return request.getfixturevalue("database_url" if request.param == "sqlite" else "postgres_url")


def _tables_in(difference) -> set[str]:
    items = difference if isinstance(difference, list) else [difference]
    found = set()
    for item in items:
        for part in item[1:]:
            table = getattr(part, "table", None)
            if table is not None:
                found.add(table.name)
            elif getattr(part, "name", None) in CONSOLE_TABLES:
                found.add(part.name)
            elif isinstance(part, str) and part in CONSOLE_TABLES:
                found.add(part)
    return found


def test_migration_matches_the_console_models(any_database):
    load_all_models()
    assert models.Account.__tablename__ in CONSOLE_TABLES and len(CONSOLE_TABLES) == 11
    engine = get_engine(any_database)
    assert set(inspect(engine).get_table_names()) >= CONSOLE_TABLES
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if _tables_in(d) & CONSOLE_TABLES]
    assert differences == []
