"""Reads, validates and loads the catalog content files (content/*.yml).

Validation collects every problem with its file and line ("content/instruments.yml:12:
onbekend onderwerp 'exprot'") before anything touches the database; loading is one
transaction that upserts every entry and retires the ones that left the files.

reader.py reads YAML keeping line numbers, fields.py checks the fields of one entry,
files.py validates each file into the entries of entries.py, loader.py writes them to
the database. What other modules use is re-exported here.
"""

from bot.catalog.content.entries import Catalog, EventEntry, FactEntry, InstrumentEntry, SchemeEntry
from bot.catalog.content.files import CONTENT_DIR, read_catalog
from bot.catalog.content.loader import LoadCount, LoadReport, load_catalog, load_content
from bot.catalog.content.reader import ContentInvalid, ContentProblem

__all__ = [
    "CONTENT_DIR",
    "Catalog",
    "ContentInvalid",
    "ContentProblem",
    "EventEntry",
    "FactEntry",
    "InstrumentEntry",
    "LoadCount",
    "LoadReport",
    "SchemeEntry",
    "load_catalog",
    "load_content",
    "read_catalog",
]
