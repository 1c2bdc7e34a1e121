"""Delivering the outbox: POST each message as JSON to CRM_WEBHOOK_URL with an
Idempotency-Key header, retrying with back-off until the CRM answers 2xx.

Workers lease a message while they send it, so several workers never send one message
at once, and the messages of one booking arrive in order (booked → moved → cancelled).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from sqlalchemy import or_, select, true, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.crm.models import OutboxMessage
from bot.crm.outbox import count_undelivered
from bot.db import get_engine, utc_now
from bot.settings import Settings

log = logging.getLogger(__name__)

BACKOFF_START = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
LEASE_MARGIN = timedelta(seconds=60)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 30 s, 1 min, 2 min, … up to an hour."""
    return min(BACKOFF_START * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def make_session_factory(url: str) -> sessionmaker:
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
    timeout: float,
    worker_id: str | None = None,
) -> DeliveryReport:
    """One pass: send every message that is due (oldest first), at most `limit`.

    Without a URL nothing is sent and the messages stay undelivered.
    """
    report = DeliveryReport()
    if not url:
        report.waiting = count_undelivered(session_factory)
        return report
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


def run_worker(settings: Settings, interval: float = 5.0, stop: threading.Event | None = None) -> None:
    """Deliver due messages every `interval` seconds until `stop` is set (or SIGTERM)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    url = settings.crm_webhook_url
    factory = make_session_factory(settings.database_url)
    if not url:
        log.warning("CRM_WEBHOOK_URL is not set: CRM messages stay in the outbox")
    while not stop.is_set():
        try:
            report = deliver_pending(factory, url, timeout=settings.crm_timeout_seconds)
            if report.delivered or report.failed:
                log.info(
                    "CRM outbox: %d delivered, %d failed, %d waiting",
                    len(report.delivered),
                    len(report.failed),
                    report.waiting,
                )
        except Exception:  # a database hiccup must not end the worker
            log.exception("CRM outbox pass failed; trying again")
        stop.wait(interval)
