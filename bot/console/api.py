"""The JSON API (contract §7): conversations, transcripts, erasure, appointments.

Every route needs `Authorization: Bearer <token>` (tokens from `python -m bot advisor
token`). Lists take the console's filters as query parameters plus `page` (from 1)
and `per_page` (at most 200, default 50); the total is in the `X-Total-Count` header.
"""

from __future__ import annotations

from datetime import date

from starlette.responses import JSONResponse, Response

from bot.console import bookings, privacy, summaries
from bot.console.auth import Context, api_error
from bot.console.models import ConversationSummary
from bot.console.transcript import transcript


def list_conversations(ctx: Context) -> Response:
    summaries.sync(ctx.session, ctx.settings)
    filters = summaries.Filters.from_query(ctx.request.query_params)
    if filters.errors:
        return api_error(400, " ".join(filters.errors))
    page = summaries.list_conversations(ctx.session, ctx.settings, filters)
    return JSONResponse(
        [summaries.as_json(item, page.tags[item.sender_id]) for item in page.items],
        headers={
            "X-Total-Count": str(page.total),
            "X-Page": str(page.page),
            "X-Per-Page": str(page.per_page),
        },
    )


def get_conversation(ctx: Context) -> Response:
    summaries.sync(ctx.session, ctx.settings)
    sender_id = ctx.request.path_params["sender_id"]
    if ctx.session.get(ConversationSummary, sender_id) is None:
        return api_error(404, "Dit gesprek bestaat niet (meer).")
    return JSONResponse([turn.as_json() for turn in transcript(ctx.settings, sender_id)])


def delete_conversation(ctx: Context) -> Response:
    sender_id = ctx.request.path_params["sender_id"]
    erased = privacy.erase_conversation(ctx.session, ctx.settings, sender_id, ctx.login.email)
    if erased is None:
        return api_error(404, "Dit gesprek bestaat niet (meer).")
    return Response(status_code=204)


def list_appointments(ctx: Context) -> Response:
    params = ctx.request.query_params
    days: dict[str, date | None] = {}
    for name in ("date_from", "date_to"):
        try:
            days[name] = date.fromisoformat(params[name]) if params.get(name) else None
        except ValueError:
            return api_error(400, f"{name} moet een datum zijn als 2026-12-03.")
    status = params.get("status", "")
    if status and status not in bookings.STATUSES:
        return api_error(400, "status moet planned, done, cancelled of no_show zijn.")
    rows = bookings.list_bookings(
        ctx.session,
        ctx.settings,
        status=status,
        kind=params.get("kind", ""),
        day_from=days["date_from"],
        day_to=days["date_to"],
    )
    return JSONResponse([bookings.as_json(row, ctx.settings) for row in rows])
