"""The advisors' agenda: who is available when, and which slots are still free.

Slots follow each advisor's weekly availability in steps of the slot length and lie
inside the opening hours: appointments inside the help desk's, call-back windows
inside the hotline's. Public holidays, leave, the past and taken slots are skipped.
For call-backs the first windows of each day are kept for urgent cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot import clock
from bot.booking.models import (
    APPOINTMENT,
    BOOKING_KINDS,
    CALLBACK,
    CLAIM_MINUTES,
    Advisor,
    Availability,
    Leave,
    SlotClaim,
)
from bot.settings import Settings


class AgendaError(ValueError):
    """A mistake in agenda data (overlapping availability, leave ending before it starts…)."""


@dataclass(frozen=True)
class FreeSlot:
    kind: str
    start: datetime  # aware, help desk time zone
    end: datetime
    advisor_id: int
    advisor_first_name: str


def slot_minutes(kind: str, settings: Settings) -> int:
    if kind == APPOINTMENT:
        minutes, variable = settings.appointment_minutes, "LOKET_APPOINTMENT_MINUTES"
    elif kind == CALLBACK:
        minutes, variable = settings.callback_window_minutes, "LOKET_CALLBACK_MINUTES"
    else:
        raise ValueError(f"unknown booking kind {kind!r}; expected one of {BOOKING_KINDS}")
    # Claims are whole quarters of an hour; other lengths would make neighbours clash.
    if minutes <= 0 or minutes % CLAIM_MINUTES:
        raise ValueError(f"{variable} moet een veelvoud van {CLAIM_MINUTES} minuten zijn, niet {minutes}.")
    return minutes


def booking_kind(moment: datetime | None = None, *, settings: Settings) -> str:
    """What the booking flow books now: an appointment while the hotline is open, else a call-back."""
    return APPOINTMENT if clock.is_open(clock.HOTLINE, moment, settings=settings) else CALLBACK


def claim_units(start: datetime, end: datetime) -> list[datetime]:
    """The quarters of an hour (UTC) that a booking from `start` to `end` occupies."""
    start_utc = start.astimezone(timezone.utc)
    unit = start_utc.replace(
        minute=start_utc.minute - start_utc.minute % CLAIM_MINUTES, second=0, microsecond=0
    )
    units = []
    while unit < end:
        units.append(unit)
        unit += timedelta(minutes=CLAIM_MINUTES)
    return units


# --- free slots -------------------------------------------------------------------------


def free_slots(
    session: Session,
    kind: str,
    after: datetime | None = None,
    limit: int = 5,
    *,
    urgent: bool = False,
    advisor_id: int | None = None,
    one_per_time: bool = True,
    settings: Settings,
    ignore_appointment_id: int | None = None,
) -> list[FreeSlot]:
    """The next free slots starting at or after `after` (default: now), never in the past.

    With `one_per_time` each start time appears once, with the advisor who has the
    fewest bookings that day; `ignore_appointment_id` treats that booking's own
    claims as free (for moving it).
    """
    moment_now = clock.now(settings)
    after = max(clock.local(after, settings) if after else moment_now, moment_now)
    horizon_end = after + timedelta(days=settings.booking_horizon_days)
    advisors = _advisors(session, advisor_id)
    taken = _taken_units(session, after, horizon_end, ignore_appointment_id)
    found: list[FreeSlot] = []
    day = after.date()
    while day <= horizon_end.date() and len(found) < limit:
        for slot in _free_on_day(
            kind, day, advisors, taken, after, moment_now, urgent, one_per_time, settings
        ):
            found.append(slot)
            if len(found) >= limit:
                break
        day += timedelta(days=1)
    return found


def slot_at(
    session: Session,
    kind: str,
    start: datetime,
    *,
    urgent: bool = False,
    advisor_id: int | None = None,
    settings: Settings,
    ignore_appointment_id: int | None = None,
) -> FreeSlot | None:
    """The free slot starting exactly at `start` (with that advisor, when given), or None."""
    start = clock.local(start, settings)
    moment_now = clock.now(settings)
    if start <= moment_now:
        return None
    advisors = _advisors(session, advisor_id)
    taken = _taken_units(session, start, start + timedelta(days=1), ignore_appointment_id)
    for slot in _free_on_day(kind, start.date(), advisors, taken, start, moment_now, urgent, False, settings):
        if slot.start == start:
            return slot
        if slot.start > start:
            break
    return None


# Free slots around a wished moment that was not free: how far before it to look.
NEAREST_WINDOW = timedelta(hours=3)


def nearest_free(
    session: Session,
    kind: str,
    wished: datetime,
    urgent: bool,
    limit: int = 5,
    ignore_appointment_id: int | None = None,
    *,
    settings: Settings,
) -> list[FreeSlot]:
    """The free slots closest to a wished moment that was not free, in time order."""
    candidates = free_slots(
        session,
        kind,
        wished - NEAREST_WINDOW,
        limit * 3,
        urgent=urgent,
        ignore_appointment_id=ignore_appointment_id,
        settings=settings,
    )
    if not candidates:
        candidates = free_slots(
            session,
            kind,
            None,
            limit,
            urgent=urgent,
            ignore_appointment_id=ignore_appointment_id,
            settings=settings,
        )
    closest = sorted(candidates, key=lambda slot: abs(slot.start - wished))[:limit]
    return sorted(closest, key=lambda slot: slot.start)


def is_offered(
    session: Session,
    kind: str,
    start: datetime,
    advisor_id: int | None = None,
    *,
    settings: Settings,
) -> bool:
    """Whether `start` is a slot of the agenda at all, free or taken (urgent reservations ignored)."""
    start = clock.local(start, settings)
    advisors = _advisors(session, advisor_id)
    return any(
        candidate_start == start
        for _advisor, candidate_start, _end in _candidates(kind, start.date(), advisors, settings)
    )


def _advisors(session: Session, advisor_id: int | None) -> list[Advisor]:
    query = (
        select(Advisor)
        .where(Advisor.active.is_(True))
        .options(selectinload(Advisor.availability), selectinload(Advisor.leave))
        .order_by(Advisor.id)
    )
    if advisor_id is not None:
        query = query.where(Advisor.id == advisor_id)
    return list(session.execute(query).scalars().all())


def _taken_units(
    session: Session, start: datetime, end: datetime, ignore_appointment_id: int | None
) -> set[tuple[int, datetime]]:
    query = select(SlotClaim.advisor_id, SlotClaim.unit_start).where(
        SlotClaim.unit_start >= start - timedelta(hours=1), SlotClaim.unit_start < end + timedelta(days=1)
    )
    if ignore_appointment_id is not None:
        query = query.where(SlotClaim.appointment_id != ignore_appointment_id)
    return {(advisor, unit) for advisor, unit in session.execute(query).all()}


def _candidates(
    kind: str, day: date, advisors: Iterable[Advisor], settings: Settings
) -> Iterator[tuple[Advisor, datetime, datetime]]:
    """Every slot of the day's agenda, taken or not: (advisor, start, end)."""
    if clock.public_holiday(day):
        return
    length = timedelta(minutes=slot_minutes(kind, settings))
    tz = settings.tz
    opening = clock.periods_on(clock.HOTLINE if kind == CALLBACK else clock.HELPDESK, day, settings)
    for advisor in advisors:
        if any(leave.first_day <= day <= leave.last_day for leave in advisor.leave):
            continue
        for period in advisor.availability:
            if period.weekday != day.weekday():
                continue
            start = datetime.combine(day, period.start_time, tz)
            period_end = datetime.combine(day, period.end_time, tz)
            while start + length <= period_end:
                end = start + length
                if any(open_ <= start and end <= close for open_, close in opening):
                    yield advisor, start, end
                start = end


def _free_on_day(
    kind: str,
    day: date,
    advisors: list[Advisor],
    taken: set[tuple[int, datetime]],
    after: datetime,
    moment_now: datetime,
    urgent: bool,
    one_per_time: bool,
    settings: Settings,
) -> list[FreeSlot]:
    candidates = sorted(_candidates(kind, day, advisors, settings), key=lambda item: (item[1], item[0].id))
    reserved: set[datetime] = set()
    if kind == CALLBACK and not urgent and settings.urgent_callback_windows > 0:
        reserved = set(
            sorted({start for _advisor, start, _end in candidates})[: settings.urgent_callback_windows]
        )
    load: dict[int, int] = {}
    for advisor, start, end in candidates:
        units = claim_units(start, end)
        load[advisor.id] = load.get(advisor.id, 0)
        load[advisor.id] += sum((advisor.id, unit) in taken for unit in units)
    free: list[FreeSlot] = []
    for advisor, start, end in candidates:
        if start < after or start <= moment_now or start in reserved:
            continue
        if any((advisor.id, unit) in taken for unit in claim_units(start, end)):
            continue
        free.append(FreeSlot(kind, start, end, advisor.id, advisor.first_name))
    if one_per_time:
        best: dict[datetime, FreeSlot] = {}
        for slot in free:
            current = best.get(slot.start)
            if current is None or load[slot.advisor_id] < load[current.advisor_id]:
                best[slot.start] = slot
        free = sorted(best.values(), key=lambda slot: slot.start)
    return free


# --- managing the agenda (CLI, sample data) ----------------------------------------------


def add_advisor(session: Session, first_name: str, name: str, email: str, active: bool = True) -> Advisor:
    email = email.strip().lower()
    if session.execute(select(Advisor.id).where(Advisor.email == email)).first():
        raise AgendaError(f"Er is al een adviseur met e-mailadres {email}.")
    advisor = Advisor(first_name=first_name.strip(), name=name.strip(), email=email, active=active)
    session.add(advisor)
    session.flush()
    return advisor


def find_advisor(session: Session, email: str) -> Advisor:
    advisor = session.execute(
        select(Advisor).where(Advisor.email == email.strip().lower())
    ).scalar_one_or_none()
    if advisor is None:
        raise AgendaError(f"Geen adviseur met e-mailadres {email}. Zie 'python -m bot agenda list'.")
    return advisor


def add_availability(
    session: Session, advisor: Advisor, weekday: int, start: time, end: time
) -> Availability:
    if not 0 <= weekday <= 6:
        raise AgendaError("Weekdag moet tussen 0 (maandag) en 6 (zondag) liggen.")
    if end <= start:
        raise AgendaError("De eindtijd moet na de begintijd liggen.")
    if start.minute % CLAIM_MINUTES or end.minute % CLAIM_MINUTES:
        raise AgendaError(
            f"Gebruik tijden op hele kwartieren (bijv. 09:00, 09:15), niet {start:%H:%M}-{end:%H:%M}."
        )
    for period in advisor.availability:
        if period.weekday == weekday and period.start_time < end and start < period.end_time:
            raise AgendaError(
                f"Overlapt met {period.start_time:%H:%M}-{period.end_time:%H:%M} "
                f"op {clock.WEEKDAY_NAMES[weekday]}."
            )
    availability = Availability(advisor=advisor, weekday=weekday, start_time=start, end_time=end)
    session.add(availability)
    session.flush()
    return availability


def clear_availability(session: Session, advisor: Advisor, weekday: int | None = None) -> int:
    removed = [period for period in advisor.availability if weekday is None or period.weekday == weekday]
    for period in removed:
        advisor.availability.remove(period)
    session.flush()
    return len(removed)


def add_leave(
    session: Session, advisor: Advisor, first_day: date, last_day: date, reason: str | None = None
) -> Leave:
    if last_day < first_day:
        raise AgendaError("De laatste verlofdag ligt voor de eerste.")
    leave = Leave(advisor=advisor, first_day=first_day, last_day=last_day, reason=reason)
    session.add(leave)
    session.flush()
    return leave


# Fictional advisors for development and demos: first names only, no real people.
SAMPLE_ADVISORS = [
    ("Femke", "femke@adviseurs.example.org", [(0, 4, "09:00", "17:00")]),
    ("Joris", "joris@adviseurs.example.org", [(0, 3, "09:00", "12:30"), (0, 3, "13:30", "17:00")]),
    ("Sanne", "sanne@adviseurs.example.org", [(1, 4, "09:00", "17:00")]),
    # Evening cover: call-backs while the hotline runs late in crisis mode.
    ("Ruben", "ruben@adviseurs.example.org", [(0, 3, "13:00", "21:00")]),
]


SAMPLE_EMAILS = frozenset(email for _first_name, email, _periods in SAMPLE_ADVISORS)


def is_sample(advisor: Advisor) -> bool:
    """A fictional advisor of `seed_sample`: the chat says "een adviseur", not the made-up name."""
    return advisor.email in SAMPLE_EMAILS


def seed_sample(session: Session) -> list[Advisor]:
    """Create the sample advisors and their weekly hours; existing ones are left alone."""
    created = []
    for first_name, email, periods in SAMPLE_ADVISORS:
        if session.execute(select(Advisor.id).where(Advisor.email == email)).first():
            continue
        advisor = add_advisor(session, first_name, f"{first_name} (voorbeeldadviseur)", email)
        for first_day, last_day, start, end in periods:
            for weekday in range(first_day, last_day + 1):
                add_availability(
                    session, advisor, weekday, time.fromisoformat(start), time.fromisoformat(end)
                )
        created.append(advisor)
    return created


def list_advisors(session: Session) -> list[Advisor]:
    return list(
        session.execute(
            select(Advisor)
            .options(selectinload(Advisor.availability), selectinload(Advisor.leave))
            .order_by(Advisor.id)
        ).scalars()
    )
