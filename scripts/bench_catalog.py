"""Times best_instruments() on a catalog of 500 generated instruments.

Loads them into a temporary SQLite database (migrated like the real one) and
prints the median and 95th percentile in milliseconds, once for the query alone
and once including opening a session, as an action does. Goal: median < 5 ms.
Run: .venv/bin/python scripts/bench_catalog.py [--instruments 500] [--queries 2000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import migrate
from bot.catalog.content import Catalog, InstrumentEntry, load_catalog
from bot.catalog.queries import best_instruments
from bot.catalog.vocabulary import KINDS, TARGET_GROUPS, TOPICS
from bot.db import get_engine, session_scope
from bot.places import MUNICIPALITIES
from bot.settings import get_settings

SECTORS = ("horeca", "retail", "bouw", "landbouw", "zorg", "techniek", "recreatie", "transport")
TODAY = date(2026, 11, 27)


def generated_catalog(count: int, rng: random.Random) -> Catalog:
    instruments = []
    for number in range(count):
        topics = rng.sample(TOPICS, rng.randint(1, 3))
        groups = frozenset(rng.sample(TARGET_GROUPS, rng.randint(1, 4)))
        municipalities = (
            frozenset(rng.sample(MUNICIPALITIES, rng.randint(1, 3))) if rng.random() < 0.3 else None
        )
        sectors = frozenset(rng.sample(SECTORS, rng.randint(1, 2))) if rng.random() < 0.15 else None
        lead_for = frozenset(topics[:1]) if rng.random() < 0.03 else frozenset()
        instruments.append(
            InstrumentEntry(
                id=f"instrument-{number:04d}",
                name=f"Instrument {number}",
                owner="Ik Ben Drents Ondernemer" if rng.random() < 0.3 else f"Partner {number % 40}",
                kind=rng.choice(KINDS),
                topics=tuple(topics),
                lead_for=lead_for,
                target_groups=groups,
                municipalities=municipalities,
                sectors=sectors,
                offer="Een aanbod in één regel.",
                for_whom="Voor ondernemers in Drenthe.",
                next_step="Neem contact op via {website}.",
                link=None,
                active_from=date(2025, 1, 1) if rng.random() < 0.2 else None,
                active_until=date(2026, 6, 30) if rng.random() < 0.1 else None,
                reviewed_on=date(2026, 11, 1),
                position=number,
            )
        )
    return Catalog(instruments=instruments)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instruments", type=int, default=500)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(42)

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        settings = replace(get_settings(), database_url=url)
        migrate.upgrade(url)
        with session_scope(url) as session:
            load_catalog(session, generated_catalog(args.instruments, rng))

        questions = [
            (
                rng.choice(TOPICS),
                rng.choice((None, *TARGET_GROUPS)),
                rng.choice((None, None, *MUNICIPALITIES)),
                rng.choice((None, None, None, *SECTORS)),
            )
            for _ in range(args.queries)
        ]
        # Warm up connections and SQLAlchemy's statement cache.
        with session_scope(url) as session:
            for topic, group, municipality, sector in questions[:50]:
                best_instruments(session, topic, group, municipality, sector, today=TODAY, settings=settings)

        query_only: list[float] = []
        with session_scope(url) as session:
            for topic, group, municipality, sector in questions:
                start = time.perf_counter()
                best_instruments(session, topic, group, municipality, sector, today=TODAY, settings=settings)
                query_only.append((time.perf_counter() - start) * 1000)

        with_session: list[float] = []
        for topic, group, municipality, sector in questions:
            start = time.perf_counter()
            with session_scope(url) as session:
                best_instruments(session, topic, group, municipality, sector, today=TODAY, settings=settings)
            with_session.append((time.perf_counter() - start) * 1000)
        get_engine(url).dispose()

    print(f"best_instruments() over {args.instruments} instruments, {args.queries} questions (SQLite):")
    for label, values in (("query", query_only), ("session + query", with_session)):
        print(
            f"  {label:16} median {statistics.median(values):.2f} ms   "
            f"p95 {percentile(values, 0.95):.2f} ms   max {max(values):.2f} ms"
        )
    return 0 if statistics.median(query_only) < 5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
