"""The CRM outbox: every booking, move and cancellation is written as a message in the
same transaction as the booking itself; a worker POSTs the messages as JSON to
CRM_WEBHOOK_URL, with an Idempotency-Key header, retrying with back-off until the CRM
accepts them. A message is only marked delivered after a 2xx answer, so a CRM that is
down or a worker that crashes loses nothing (the CRM may see a retry of a message it
already has, recognisable by the same key).

models.py holds the table, outbox.py writes and reads it, delivery.py sends it, cli.py
is `python -m bot crm …`. What other rooms use is re-exported here.
"""

from bot.crm.delivery import (
    DeliveryReport,
    backoff,
    deliver_pending,
    make_session_factory,
    run_worker,
)
from bot.crm.models import BOOKED_EVENT, CANCELLED_EVENT, MOVED_EVENT, OutboxMessage
from bot.crm.outbox import DeliveryState, count_undelivered, delivery_states, enqueue

__all__ = [
    "BOOKED_EVENT",
    "CANCELLED_EVENT",
    "MOVED_EVENT",
    "DeliveryReport",
    "DeliveryState",
    "OutboxMessage",
    "backoff",
    "count_undelivered",
    "deliver_pending",
    "delivery_states",
    "enqueue",
    "make_session_factory",
    "run_worker",
]
