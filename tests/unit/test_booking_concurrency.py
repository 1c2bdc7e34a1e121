"""Twenty people pick the same slot at the same moment: exactly one booking, nineteen
SlotTaken with other free slots. Against a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from booking_support import THURSDAY_10, add_weekday_advisor, at
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

import bot.booking.appointments as appointments
from bot.booking import APPOINTMENT, SlotTaken, book
from bot.booking.models import Appointment, SlotClaim
from bot.crm import OutboxMessage
from bot.db import get_engine
from bot.settings import Settings

PEOPLE = 20
TARGET = at("2024-12-06T10:30")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request, configure):
    request.getfixturevalue("database_url" if request.param == "sqlite" else "postgres_url")
    return configure(LOKET_FAKE_NOW=THURSDAY_10)


def session_factory(url: str) -> sessionmaker:
    if make_url(url).get_backend_name() == "sqlite":
        engine = get_engine(url)  # WAL and a busy timeout, as in production
    else:
        engine = create_engine(url, future=True, pool_size=PEOPLE + 5, max_overflow=0)
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


def race(settings: Settings) -> tuple[list[tuple[str, object]], sessionmaker]:
    factory = session_factory(settings.database_url)
    with factory() as session, session.begin():
        advisor_id = add_weekday_advisor(session).id
    start_together = threading.Barrier(PEOPLE)

    def attempt(number: int):
        start_together.wait(timeout=30)
        session = factory()
        try:
            appointment = book(
                session,
                kind=APPOINTMENT,
                start=TARGET,
                advisor_id=advisor_id,
                person_name=f"Ondernemer {number}",
                email=f"ondernemer{number}@example.org",
                sender_id=f"s{number}",
                settings=settings,
            )
            session.commit()
            return "booked", appointment.reference
        except SlotTaken as error:
            session.rollback()
            return "taken", error.alternatives
        finally:
            session.close()

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        results = list(pool.map(attempt, range(PEOPLE)))
    return results, factory


def check(results, factory):
    booked = [value for outcome, value in results if outcome == "booked"]
    taken = [value for outcome, value in results if outcome == "taken"]
    assert len(booked) == 1, results
    assert len(taken) == PEOPLE - 1
    for alternatives in taken:
        assert alternatives, "every loser is offered other slots"
        assert TARGET not in [slot.start for slot in alternatives]
        assert alternatives[0].start == at("2024-12-06T11:15")
    with factory() as session:
        assert session.execute(select(func.count()).select_from(Appointment)).scalar_one() == 1
        assert session.execute(select(Appointment.reference)).scalar_one() == booked[0]
        assert session.execute(select(func.count()).select_from(SlotClaim)).scalar_one() == 3
        assert session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 1
    factory.kw["bind"].dispose()


def test_twenty_parallel_attempts_at_one_slot_give_one_booking(any_database):
    check(*race(any_database))


def test_the_database_constraint_decides_when_everyone_saw_the_slot_free(any_database, monkeypatch):
    """All twenty pass the free-slot check before anyone inserts, so only the unique
    (advisor, quarter) claim in the database can stop the other nineteen."""
    real_slot_at = appointments.slot_at
    everyone_checked = threading.Barrier(PEOPLE)
    checked = threading.local()

    def slot_at_then_wait(*args, **kwargs):
        slot = real_slot_at(*args, **kwargs)
        if not getattr(checked, "done", False):
            checked.done = True
            assert slot is not None
            everyone_checked.wait(timeout=30)
        return slot

    monkeypatch.setattr(appointments, "slot_at", slot_at_then_wait)
    check(*race(any_database))
