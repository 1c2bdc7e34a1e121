"""Catalog commands (being written)."""


def register(groups) -> None:
    pass
