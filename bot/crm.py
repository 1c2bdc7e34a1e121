"""The CRM outbox: every booking, move and cancellation is written as a message in the
same transaction as the booking itself; a worker POSTs the messages as JSON to
CRM_WEBHOOK_URL, with an Idempotency-Key header, retrying with back-off until the CRM
accepts them. A message is only marked delivered after a 2xx answer, so a CRM that is
down or a worker that crashes loses nothing (the CRM may see a retry of a message it
already has, recognisable by the same key).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from sqlalchemy import Column, Index, Integer, String, Text, and_, func, or_, select, true, update
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.types import JSON

from bot.db import Base, UTCDateTime, get_engine, utc_now
from bot.settings import get_settings

log = logging.getLogger(__name__)

BOOKED_EVENT = "appointment.booked"
MOVED_EVENT = "appointment.moved"
CANCELLED_EVENT = "appointment.cancelled"

BACKOFF_START = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
LEASE_MARGIN = timedelta(seconds=60)


class OutboxMessage(Base):
    __tablename__ = "crm_outbox"
    __table_args__ = (Index("ix_crm_outbox_pending", "delivered_at", "next_attempt_at"),)

    id = Column(Integer, primary_key=True)
    event_type = Column(String(40), nullable=False)
    reference = Column(String(10), index=True)
    sender_id = Column(String(255))
    payload = Column(JSON, nullable=False)
    idempotency_key = Column(String(64), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at = Column(UTCDateTime, nullable=False, default=utc_now)
    last_attempt_at = Column(UTCDateTime)
    last_status = Column(Integer)  # HTTP status of the last answer, if there was one
    last_error = Column(Text)
    delivered_at = Column(UTCDateTime)
    # A worker leases a message while it sends it, so two workers never send it at once.
    lease_owner = Column(String(80))
    lease_until = Column(UTCDateTime)


def enqueue(
    session: Session,
    event_type: str,
    payload: dict,
    *,
    reference: str | None = None,
    sender_id: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (commit with the booking)."""
    now = now or utc_now()
    key = str(uuid.uuid4())
    body = {
        "event": event_type,
        "idempotency_key": key,
        "occurred_at": now.isoformat(),
        "reference": reference,
        "conversation_id": sender_id,
        **payload,
    }
    message = OutboxMessage(
        event_type=event_type,
        reference=reference,
        sender_id=sender_id,
        payload=body,
        idempotency_key=key,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 30 s, 1 min, 2 min, … up to an hour."""
    return min(BACKOFF_START * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def make_session_factory(url: str | None = None) -> sessionmaker:
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)


@dataclass
class DeliveryReport:
    delivered: list[str] = field(default_factory=list)  # idempotency keys
    failed: list[str] = field(default_factory=list)
    waiting: int = 0  # still undelivered after this pass

    def __str__(self) -> str:
        return f"{len(self.delivered)} afgeleverd, {len(self.failed)} mislukt, {self.waiting} wachtend"


def deliver_pending(
    session_factory: Callable[[], Session],
    url: str | None,
    now: datetime | None = None,
    *,
    limit: int = 100,
    timeout: float | None = None,
    worker_id: str | None = None,
) -> DeliveryReport:
    """One pass: send every message that is due (oldest first), at most `limit`.

    Without a URL nothing is sent and the messages stay undelivered.
    """
    report = DeliveryReport()
    if not url:
        report.waiting = count_undelivered(session_factory)
        return report
    timeout = timeout if timeout is not None else get_settings().crm_timeout_seconds
    worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    seen: set[int] = set()
    with requests.Session() as http:
        for _ in range(limit):
            moment = now or utc_now()
            claimed = _claim_next(
                session_factory, worker_id, moment, moment + timedelta(seconds=timeout) + LEASE_MARGIN, seen
            )
            if claimed is None:
                break
            message_id, key, payload = claimed
            seen.add(message_id)
            status, error = _post(http, url, key, payload, timeout)
            _record(session_factory, message_id, worker_id, now or utc_now(), status, error)
            (report.failed if error else report.delivered).append(key)
    report.waiting = count_undelivered(session_factory)
    return report


def _claim_next(
    session_factory: Callable[[], Session],
    worker_id: str,
    now: datetime,
    lease_until: datetime,
    seen: set[int],
) -> tuple[int, str, dict] | None:
    """Lease the oldest due message. A message waits while an older one of the same
    booking is undelivered, so the CRM sees booked → moved → cancelled in order."""
    older = aliased(OutboxMessage)
    with session_factory() as session, session.begin():
        candidates = (
            session.execute(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.delivered_at.is_(None),
                    OutboxMessage.next_attempt_at <= now,
                    or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
                    OutboxMessage.id.notin_(seen) if seen else true(),
                    ~select(older.id)
                    .where(
                        older.reference == OutboxMessage.reference,
                        older.id < OutboxMessage.id,
                        older.delivered_at.is_(None),
                    )
                    .exists(),
                )
                .order_by(OutboxMessage.id)
                .limit(5)
            )
            .scalars()
            .all()
        )
        for message_id in candidates:
            # The conditional update is the claim: of two workers only one matches.
            claimed = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.delivered_at.is_(None),
                    or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
                )
                .values(lease_owner=worker_id, lease_until=lease_until)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed == 1:
                message = session.get(OutboxMessage, message_id)
                return message.id, message.idempotency_key, dict(message.payload)
    return None


def _post(
    http: requests.Session, url: str, key: str, payload: dict, timeout: float
) -> tuple[int | None, str | None]:
    try:
        response = http.post(
            url,
            json=payload,
            headers={"Idempotency-Key": key, "User-Agent": "ondernemersvraagbaak-crm-outbox/1"},
            timeout=timeout,
        )
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:1000]
    if not response.ok:
        return response.status_code, f"HTTP {response.status_code}: {response.text[:500]}"
    return response.status_code, None


def _record(
    session_factory: Callable[[], Session],
    message_id: int,
    worker_id: str,
    now: datetime,
    status: int | None,
    error: str | None,
) -> None:
    with session_factory() as session, session.begin():
        message = session.get(OutboxMessage, message_id)
        if message is None or message.delivered_at is not None:
            return
        message.attempts += 1
        message.last_attempt_at = now
        message.last_status = status
        if error is None:
            message.delivered_at = now
            message.last_error = None
        elif message.lease_owner == worker_id:
            message.last_error = error
            message.next_attempt_at = now + backoff(message.attempts)
        else:  # our lease ran out and another worker owns it now: only note the error
            message.last_error = error
            return
        message.lease_owner = None
        message.lease_until = None


def count_undelivered(session_factory: Callable[[], Session]) -> int:
    with session_factory() as session:
        return session.execute(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.delivered_at.is_(None))
        ).scalar_one()


@dataclass(frozen=True)
class DeliveryState:
    """How far the CRM messages of one booking got."""

    messages: int
    delivered: int
    attempts: int
    last_error: str | None

    @property
    def label(self) -> str:
        if self.messages == 0:
            return "geen bericht"
        if self.delivered == self.messages:
            return "afgeleverd"
        if self.attempts:
            return f"wacht (poging {self.attempts} mislukt)"
        return "wacht"


def delivery_states(session: Session, references: Iterable[str]) -> dict[str, DeliveryState]:
    references = list(references)
    states: dict[str, DeliveryState] = {}
    if not references:
        return states
    rows = session.execute(
        select(
            OutboxMessage.reference,
            OutboxMessage.delivered_at,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
        )
        .where(OutboxMessage.reference.in_(references))
        .order_by(OutboxMessage.id)
    ).all()
    grouped: dict[str, list] = {}
    for row in rows:
        grouped.setdefault(row.reference, []).append(row)
    for reference in references:
        items = grouped.get(reference, [])
        undelivered = [row for row in items if row.delivered_at is None]
        states[reference] = DeliveryState(
            messages=len(items),
            delivered=len(items) - len(undelivered),
            attempts=max((row.attempts for row in undelivered), default=0),
            last_error=next((row.last_error for row in reversed(undelivered) if row.last_error), None),
        )
    return states


def run_worker(
    interval: float = 5.0,
    stop: threading.Event | None = None,
    url: str | None = None,
    database_url: str | None = None,
) -> None:
    """Deliver due messages every `interval` seconds until `stop` is set (or SIGTERM)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    settings = get_settings()
    url = url or settings.crm_webhook_url
    factory = make_session_factory(database_url)
    if not url:
        log.warning("CRM_WEBHOOK_URL is not set: CRM messages stay in the outbox")
    while not stop.is_set():
        try:
            report = deliver_pending(factory, url)
            if report.delivered or report.failed:
                log.info("CRM outbox: %s", report)
        except Exception:  # a database hiccup must not end the worker
            log.exception("CRM outbox pass failed; trying again")
        stop.wait(interval)


# --- command line: `python -m bot crm deliver|worker|status` -----------------------------


def register(groups: argparse._SubParsersAction) -> None:
    crm = groups.add_parser("crm", help="CRM-outbox").add_subparsers(dest="command", required=True)
    crm.add_parser("deliver", help="verstuur wachtende CRM-berichten één keer").set_defaults(handler=_deliver)
    worker = crm.add_parser("worker", help="verstuur CRM-berichten doorlopend (tot Ctrl-C)")
    worker.add_argument(
        "--interval", type=float, default=5.0, help="seconden tussen twee rondes (standaard 5)"
    )
    worker.set_defaults(handler=_worker)
    crm.add_parser("status", help="aantal afgeleverde en wachtende CRM-berichten").set_defaults(
        handler=_status
    )


def _deliver(_args: argparse.Namespace) -> int:
    url = get_settings().crm_webhook_url
    report = deliver_pending(make_session_factory(), url)
    if not url:
        print(f"CRM_WEBHOOK_URL is niet ingesteld: {report.waiting} bericht(en) blijven in de outbox.")
        return 0
    print(f"==> CRM: {report}")
    return 1 if report.failed else 0


def _worker(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    run_worker(interval=args.interval)
    return 0


def _status(_args: argparse.Namespace) -> int:
    factory = make_session_factory()
    with factory() as session:
        total = session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
        failing = session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(and_(OutboxMessage.delivered_at.is_(None), OutboxMessage.attempts > 0))
        ).scalar_one()
    waiting = count_undelivered(factory)
    print(
        f"{total} bericht(en): {total - waiting} afgeleverd, {waiting} wachtend "
        f"({failing} na mislukte poging)"
    )
    return 0
