"""CRM delivery against a real local HTTP server: the CRM is down (connection refused,
then HTTP 500), comes back, and every message arrives exactly once with a stable key."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from booking_support import THURSDAY_10, add_weekday_advisor, at
from sqlalchemy import select

from bot import crm
from bot.booking import APPOINTMENT, book, cancel, move
from bot.crm import OutboxMessage, deliver_pending, delivery, make_session_factory
from bot.db import session_scope, utc_now


class FakeCRM:
    """A webhook on 127.0.0.1 that answers `failures` times with 500, then 200."""

    def __init__(self, port: int = 0, failures: int = 0, delay: float = 0.0):
        self.failures = failures
        self.delay = delay
        self.requests: list[dict] = []  # every request, including refused ones
        self.accepted: list[dict] = []
        self.lock = threading.Lock()
        crm_server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key")
                time.sleep(crm_server.delay)
                with crm_server.lock:
                    crm_server.requests.append({"key": key, "body": body})
                    refuse = crm_server.failures > 0
                    if refuse:
                        crm_server.failures -= 1
                    else:
                        crm_server.accepted.append({"key": key, "body": body})
                self.send_response(500 if refuse else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": "down"}' if refuse else b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cases"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def settings(database_url, configure):
    return configure(CRM_WEBHOOK_URL=None, CRM_TIMEOUT_SECONDS="2", LOKET_FAKE_NOW=THURSDAY_10)


def make_cases(settings) -> list[str]:
    """Three bookings, one moved and one cancelled: five outbox messages."""
    references = []
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        for number, start in enumerate(["2024-12-06T09:00", "2024-12-06T09:45", "2024-12-06T10:30"]):
            references.append(
                book(
                    session,
                    kind=APPOINTMENT,
                    start=at(start),
                    person_name=f"Klant {number}",
                    email=f"klant{number}@example.org",
                    sender_id=f"conv-{number}",
                    topics=["export"],
                    settings=settings,
                ).reference
            )
    with session_scope(settings.database_url) as session:
        move(session, references[0], "klant0@example.org", at("2024-12-06T11:15"), settings=settings)
    with session_scope(settings.database_url) as session:
        cancel(session, references[1], "klant1@example.org", settings=settings)
    return references


def outbox(settings) -> list[OutboxMessage]:
    with session_scope(settings.database_url) as session:
        return session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


def test_without_a_webhook_url_messages_stay_undelivered(settings):
    make_cases(settings)
    report = deliver_pending(
        make_session_factory(settings.database_url), None, timeout=settings.crm_timeout_seconds
    )
    assert report.delivered == [] and report.waiting == 5
    assert all(message.delivered_at is None and message.attempts == 0 for message in outbox(settings))


def test_crm_down_then_back_every_message_arrives_exactly_once(settings):
    references = make_cases(settings)
    factory = make_session_factory(settings.database_url)
    keys = [message.idempotency_key for message in outbox(settings)]
    assert len(set(keys)) == 5
    now = utc_now()

    # 1. Nothing listens: connection refused. Only the oldest message of each booking is
    #    tried (a booking's later messages wait for it), and none is lost.
    port = free_port()
    down = deliver_pending(factory, f"http://127.0.0.1:{port}/cases", now, timeout=2)
    assert down.delivered == [] and len(down.failed) == 3 and down.waiting == 5
    first_try = {message.idempotency_key: message for message in outbox(settings)}
    for key in down.failed:
        message = first_try[key]
        assert message.attempts == 1 and "ConnectionError" in message.last_error
        assert message.next_attempt_at == now + timedelta(seconds=30) and message.lease_owner is None

    # 2. Still in back-off: nothing is due yet.
    crm_server = FakeCRM(port=port, failures=2)
    try:
        assert (
            deliver_pending(
                factory, crm_server.url, now + timedelta(seconds=10), timeout=settings.crm_timeout_seconds
            ).failed
            == []
        )
        assert crm_server.requests == []

        # 3. The CRM answers, but with 500 twice: those two are retried later.
        later = now + timedelta(seconds=31)
        second = deliver_pending(factory, crm_server.url, later, timeout=settings.crm_timeout_seconds)
        assert len(second.failed) == 2
        for message in outbox(settings):
            if message.idempotency_key in second.failed:
                assert (
                    message.attempts == 2 and message.last_status == 500 and "HTTP 500" in message.last_error
                )
                assert message.next_attempt_at == later + timedelta(seconds=60)

        # 4. Later passes deliver the rest.
        deliver_pending(
            factory, crm_server.url, later + timedelta(minutes=2), timeout=settings.crm_timeout_seconds
        )
        deliver_pending(
            factory, crm_server.url, later + timedelta(minutes=10), timeout=settings.crm_timeout_seconds
        )
        final = deliver_pending(
            factory, crm_server.url, later + timedelta(minutes=30), timeout=settings.crm_timeout_seconds
        )
        assert final.waiting == 0
    finally:
        crm_server.stop()

    accepted = [request["key"] for request in crm_server.accepted]
    assert sorted(accepted) == sorted(keys), "every message arrived exactly once"
    # Refused attempts carried the same key as the accepted one: the key is stable.
    assert {request["key"] for request in crm_server.requests} == set(keys)
    for request in crm_server.requests:
        assert request["body"]["idempotency_key"] == request["key"]
    # Per booking the CRM sees booked before moved, booked before cancelled.
    events = [(r["body"]["reference"], r["body"]["event"]) for r in crm_server.accepted]
    assert events.index((references[0], "appointment.booked")) < events.index(
        (references[0], "appointment.moved")
    )
    assert events.index((references[1], "appointment.booked")) < events.index(
        (references[1], "appointment.cancelled")
    )
    body = crm_server.accepted[0]["body"]
    assert {"contact", "summary", "topics", "reference", "conversation_id", "event"} <= set(body)
    assert all(
        message.delivered_at is not None and message.last_error is None for message in outbox(settings)
    )


def test_a_slow_crm_times_out_and_is_retried(settings):
    make_cases(settings)
    crm_server = FakeCRM(delay=1.5)
    try:
        report = deliver_pending(
            make_session_factory(settings.database_url), crm_server.url, utc_now(), timeout=0.3, limit=1
        )
        assert len(report.failed) == 1
        [message] = [m for m in outbox(settings) if m.attempts]
        assert "Timeout" in message.last_error and message.delivered_at is None
    finally:
        crm_server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, configure):
    request.getfixturevalue("database_url" if request.param == "sqlite" else "postgres_url")
    return configure(CRM_WEBHOOK_URL=None, CRM_TIMEOUT_SECONDS="5", LOKET_FAKE_NOW=THURSDAY_10)


def test_parallel_workers_never_send_the_same_message(any_db):
    settings = any_db
    make_cases(settings)
    crm_server = FakeCRM(delay=0.05)
    factory = make_session_factory(settings.database_url)
    try:
        workers = [
            threading.Thread(
                target=deliver_pending,
                args=(factory, crm_server.url),
                kwargs={"worker_id": f"w{i}", "timeout": settings.crm_timeout_seconds},
            )
            for i in range(4)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        # a message that waited for an older one of its booking
        deliver_pending(factory, crm_server.url, timeout=settings.crm_timeout_seconds)
    finally:
        crm_server.stop()
    keys = [request["key"] for request in crm_server.requests]
    assert len(keys) == 5 and len(set(keys)) == 5


def test_a_worker_that_crashed_mid_send_is_replaced_after_its_lease(settings):
    make_cases(settings)
    factory = make_session_factory(settings.database_url)
    now = utc_now()
    # A worker leases the oldest message and dies before recording anything.
    claimed = delivery._claim_next(factory, "crashed", now, now + timedelta(minutes=1), set())
    assert claimed is not None
    crm_server = FakeCRM()
    try:
        deliver_pending(
            factory, crm_server.url, now + timedelta(seconds=5), timeout=settings.crm_timeout_seconds
        )
        assert claimed[1] not in [request["key"] for request in crm_server.requests]  # still leased
        deliver_pending(
            factory, crm_server.url, now + timedelta(minutes=2), timeout=settings.crm_timeout_seconds
        )
        assert claimed[1] in [request["key"] for request in crm_server.requests]
    finally:
        crm_server.stop()
    assert all(message.delivered_at is not None for message in outbox(settings))


def test_backoff_doubles_up_to_an_hour():
    assert [crm.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert crm.backoff(30) == timedelta(hours=1)


def test_cli_deliver_and_appointments_list_show_the_delivery_state(settings, configure, capsys):
    from bot.cli import main

    make_cases(settings)
    assert main(["crm", "deliver"]) == 0
    assert "blijven in de outbox" in capsys.readouterr().out
    crm_server = FakeCRM()
    try:
        settings = configure(CRM_WEBHOOK_URL=crm_server.url)
        assert main(["appointments", "list", "--all"]) == 0
        before = capsys.readouterr().out
        assert before.count("wacht") == 3
        assert main(["crm", "deliver"]) == 0
        assert "5 afgeleverd" in capsys.readouterr().out
        assert main(["appointments", "list", "--all"]) == 0
        after = capsys.readouterr().out
    finally:
        crm_server.stop()
    assert after.count("afgeleverd") == 3 and "cancelled" in after and "moved" in after
    assert len(crm_server.accepted) == 5


def test_run_worker_delivers_in_the_background_until_stopped(settings, configure):
    make_cases(settings)
    crm_server = FakeCRM()
    stop = threading.Event()
    try:
        settings = configure(CRM_WEBHOOK_URL=crm_server.url)
        worker = threading.Thread(
            target=crm.run_worker, args=(settings,), kwargs={"interval": 0.05, "stop": stop}
        )
        worker.start()
        deadline = time.monotonic() + 20
        while len(crm_server.accepted) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        worker.join(10)
        assert not worker.is_alive()
    finally:
        crm_server.stop()
    assert sorted(r["key"] for r in crm_server.accepted) == sorted(
        m.idempotency_key for m in outbox(settings)
    )
