"""Imports every module that defines tables, so `Base.metadata` knows them all
(Alembic's autogenerate and the test fixtures rely on this)."""

import importlib

TABLE_MODULES: list[str] = [
    "bot.catalog.models",
    "bot.booking.models",
    "bot.crm",
    "bot.console.models",
]


def load_all_models() -> None:
    for name in TABLE_MODULES:
        importlib.import_module(name)
