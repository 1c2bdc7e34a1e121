"""The console's pages (server-rendered, Dutch, usable by keyboard)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
from sqlalchemy import delete, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.console import accounts, bookings, inbox, privacy, reports, summaries
from bot.console.auth import (
    LOGIN_CSRF_COOKIE,
    LOGIN_PATH,
    SESSION_COOKIE,
    Context,
    client_address,
    is_https,
    set_session_cookie,
    settings_of,
)
from bot.console.models import ConversationNote, ConversationSummary, ConversationTag
from bot.console.transcript import transcript
from bot.db import session_scope, utc_now
from bot.topics import labels as topic_labels

TEMPLATES = Path(__file__).resolve().parent / "templates"
_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
)


def _local(moment, settings, fmt: str = "%d-%m-%Y %H:%M") -> str:
    return moment.astimezone(settings.tz).strftime(fmt) if moment else ""


def render(ctx: Context | None, template: str, status: int = 200, **values) -> HTMLResponse:
    values.setdefault("login", ctx.login if ctx else None)
    values.setdefault("csrf_token", ctx.login.csrf_token if ctx else "")
    values.setdefault("path", ctx.request.url.path if ctx else "")
    if ctx is not None:
        values.setdefault("inbox_waiting", summaries.waiting_inbox_count(ctx.session))
        settings = ctx.settings
        values.setdefault("local", lambda moment, fmt="%d-%m-%Y %H:%M": _local(moment, settings, fmt))
    values.setdefault("topic_labels", topic_labels().by_intent)
    html = _environment.get_template(template).render(**values)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- login and logout ------------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    # Only paths of the console itself, never another site.
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return "/console/gesprekken"


def login_form(
    request: Request, next_url: str, error: str | None = None, email: str = "", status: int = 200
) -> Response:
    """The login page with a fresh CSRF token in its own cookie (there is no session yet)."""
    token = secrets.token_urlsafe(32)
    response = render(
        None, "login.html", status, csrf_token=token, next_url=next_url, error=error, email=email
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=is_https(request), path=LOGIN_PATH
    )
    return response


async def login_page(request: Request) -> Response:
    settings = settings_of(request)
    if request.method == "GET":
        return login_form(request, _safe_next(request.query_params.get("next")))
    form = await request.form()
    sent, expected = form.get("csrf_token"), request.cookies.get(LOGIN_CSRF_COOKIE)
    email, password = str(form.get("email") or ""), str(form.get("password") or "")
    next_url = _safe_next(str(form.get("next") or ""))

    def again(message: str, status: int) -> Response:
        return login_form(request, next_url, message, email, status)

    if not isinstance(sent, str) or not expected or not secrets.compare_digest(sent, expected):
        return again("Het formulier was verlopen. Probeer het nog eens.", 403)

    def work() -> Response:
        with session_scope(settings.database_url) as session:
            account, reason = accounts.authenticate(session, email, password, client_address(request))
            if account is None:
                if reason == "blocked":
                    return again(
                        "Te veel mislukte pogingen. Wacht een kwartier en probeer het dan opnieuw.", 429
                    )
                return again("E-mailadres of wachtwoord klopt niet.", 401)
            token = accounts.start_session(session, account)
        response = back(next_url)
        set_session_cookie(response, request, token)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
        return response

    return await run_in_threadpool(work)


def logout(ctx: Context) -> Response:
    accounts.end_session(ctx.session, ctx.request.cookies.get(SESSION_COOKIE))
    response = back(LOGIN_PATH)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def home(_ctx: Context) -> Response:
    return back("/console/gesprekken")


# --- conversations ---------------------------------------------------------------------------------------


def conversation_url(sender_id: str) -> str:
    return "/console/gesprek/" + quote(sender_id, safe="")


def conversations(ctx: Context) -> Response:
    summaries.sync(ctx.session, ctx.settings)
    filters = summaries.Filters.from_query(ctx.request.query_params, max_per_page=100)
    result = summaries.list_conversations(ctx.session, ctx.settings, filters)
    return render(
        ctx,
        "conversations.html",
        filters=filters,
        result=result,
        tags=summaries.all_tags(ctx.session),
        conversation_url=conversation_url,
        page_url=lambda number: "?" + urlencode(filters.query_items(page=number)),
        csv_url="/console/export.csv?" + urlencode(filters.query_items(page=1)),
        yesterday=(ctx.settings.now().date() - timedelta(days=1)).isoformat(),
    )


def _summary_or_404(ctx: Context) -> ConversationSummary | None:
    summaries.sync(ctx.session, ctx.settings)
    return ctx.session.get(ConversationSummary, ctx.request.path_params["sender_id"])


def not_found(ctx: Context) -> Response:
    return render(ctx, "not_found.html", 404)


def conversation(ctx: Context) -> Response:
    summary = _summary_or_404(ctx)
    if summary is None:
        return not_found(ctx)
    sender_id = summary.sender_id
    summaries.link_bookings(ctx.session, {sender_id: summary})
    booking = bookings.find(ctx.session, summary.booking_reference) if summary.booking_reference else None
    notes = list(
        ctx.session.execute(
            select(ConversationNote)
            .where(ConversationNote.sender_id == sender_id)
            .order_by(ConversationNote.id)
        ).scalars()
    )
    return render(
        ctx,
        "conversation.html",
        summary=summary,
        turns=transcript(ctx.settings, sender_id),
        tags=summaries.tags_of(ctx.session, [sender_id])[sender_id],
        notes=notes,
        booking=booking,
        url=conversation_url(sender_id),
    )


def mark_reviewed(ctx: Context) -> Response:
    summary = _summary_or_404(ctx)
    if summary is None:
        return not_found(ctx)
    if ctx.field("reviewed") == "nee":
        summary.reviewed_at, summary.reviewed_by = None, None
    else:
        summary.reviewed_at, summary.reviewed_by = utc_now(), ctx.login.name
    return back(conversation_url(summary.sender_id) + "#beoordeling")


def add_tag(ctx: Context) -> Response:
    summary = _summary_or_404(ctx)
    if summary is None:
        return not_found(ctx)
    tag = " ".join(ctx.field("tag").lower().split())[:40]
    exists = ctx.session.execute(
        select(ConversationTag.id).where(
            ConversationTag.sender_id == summary.sender_id, ConversationTag.tag == tag
        )
    ).first()
    if tag and not exists:
        ctx.session.add(ConversationTag(sender_id=summary.sender_id, tag=tag))
    return back(conversation_url(summary.sender_id) + "#labels")


def remove_tag(ctx: Context) -> Response:
    summary = _summary_or_404(ctx)
    if summary is None:
        return not_found(ctx)
    ctx.session.execute(
        delete(ConversationTag).where(
            ConversationTag.sender_id == summary.sender_id, ConversationTag.tag == ctx.field("tag")
        )
    )
    return back(conversation_url(summary.sender_id) + "#labels")


def add_note(ctx: Context) -> Response:
    summary = _summary_or_404(ctx)
    if summary is None:
        return not_found(ctx)
    text = ctx.field("text")[:4000]
    if text:
        ctx.session.add(ConversationNote(sender_id=summary.sender_id, author=ctx.login.name, text=text))
    return back(conversation_url(summary.sender_id) + "#notities")


def erase_page(ctx: Context) -> Response:
    summary = _summary_or_404(ctx)
    if summary is None:
        return not_found(ctx)
    if ctx.request.method == "GET":
        return render(ctx, "erase.html", summary=summary, url=conversation_url(summary.sender_id))
    if ctx.field("confirm") != "ja":
        return back(conversation_url(summary.sender_id))
    privacy.erase_conversation(ctx.session, ctx.settings, summary.sender_id, ctx.login.email)
    return back("/console/gesprekken?gewist=1")


def export_csv(ctx: Context) -> Response:
    summaries.sync(ctx.session, ctx.settings)
    filters = summaries.Filters.from_query(ctx.request.query_params)
    found = summaries.matching(ctx.session, ctx.settings, filters)
    body = reports.conversations_csv(found, summaries.tags_of(ctx.session, [c.sender_id for c in found]))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="gesprekken.csv"', "Cache-Control": "no-store"},
    )


# --- appointments ----------------------------------------------------------------------------------------


def _date_param(ctx: Context, name: str) -> date | None:
    try:
        return date.fromisoformat(ctx.request.query_params.get(name, ""))
    except ValueError:
        return None


def appointments(ctx: Context) -> Response:
    params = ctx.request.query_params
    rows = bookings.list_bookings(
        ctx.session,
        ctx.settings,
        status=params.get("status", ""),
        kind=params.get("kind", ""),
        day_from=_date_param(ctx, "date_from"),
        day_to=_date_param(ctx, "date_to"),
    )
    return render(
        ctx,
        "appointments.html",
        rows=rows,
        params=params,
        statuses=bookings.STATUS_LABELS,
        kinds=bookings.KIND_LABELS,
        conversation_url=conversation_url,
        message=params.get("melding", ""),
    )


def appointment_status(ctx: Context) -> Response:
    reference = ctx.request.path_params["reference"]
    try:
        bookings.set_status(ctx.session, ctx.settings, reference, ctx.field("status"), ctx.login.name)
    except bookings.StatusChangeRefused as error:
        return back("/console/afspraken?" + urlencode({"melding": str(error)}))
    return back("/console/afspraken?" + urlencode({"melding": f"Status van {reference} bijgewerkt."}))


def appointment_send_again(ctx: Context) -> Response:
    reference = ctx.request.path_params["reference"]
    count = bookings.send_again(ctx.session, reference)
    message = (
        f"{reference}: {count} bericht(en) worden opnieuw naar het CRM verstuurd."
        if count
        else f"{reference}: er wacht geen bericht."
    )
    return back("/console/afspraken?" + urlencode({"melding": message}))


# --- inbox -----------------------------------------------------------------------------------------------


def inbox_page(ctx: Context) -> Response:
    summaries.sync(ctx.session, ctx.settings)
    return render(
        ctx,
        "inbox.html",
        groups=inbox.waiting_groups(ctx.session),
        intents=inbox.domain_intents(),
        per_intent=inbox.waiting_per_intent(ctx.session),
        message=ctx.request.query_params.get("melding", ""),
    )


def inbox_decide(ctx: Context) -> Response:
    first_id = int(ctx.request.path_params["item"])
    choice = ctx.field("intent")
    intents = inbox.domain_intents()
    if ctx.field("action") == "verwijderen":
        count = inbox.decide(ctx.session, first_id, None, ctx.login.name, intents)
        message = f"{count} bericht(en) verwijderd."
    elif choice in intents:
        count = inbox.decide(ctx.session, first_id, choice, ctx.login.name, intents)
        message = f"{count} bericht(en) vastgelegd als {choice}."
    else:
        message = "Kies een intentie uit de lijst."
    return back("/console/inbox?" + urlencode({"melding": message}))


def inbox_export(ctx: Context) -> Response:
    result = inbox.export_nlu(ctx.session)
    return Response(
        result.yaml_text,
        media_type="application/x-yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="inbox_nlu.yml"', "Cache-Control": "no-store"},
    )


# --- ratings, charts, audit ------------------------------------------------------------------------------


def ratings_page(ctx: Context) -> Response:
    summaries.sync(ctx.session, ctx.settings)
    filters = summaries.Filters.from_query(ctx.request.query_params)
    figures = reports.ratings(summaries.matching(ctx.session, ctx.settings, filters))
    return render(
        ctx,
        "ratings.html",
        figures=figures,
        human_average=reports.HUMAN_DESK_AVERAGE,
        chart=reports.bar_chart(
            "Verdeling van de cijfers", [(str(mark), count) for mark, count in figures.distribution]
        ),
        conversation_url=conversation_url,
        filters=filters,
    )


def charts_page(ctx: Context) -> Response:
    summaries.sync(ctx.session, ctx.settings)
    params = ctx.request.query_params
    granularity = params.get("per", "dag")
    if granularity not in reports.GRANULARITIES:
        granularity = "dag"
    today = ctx.settings.now().date()
    last = _date_param(ctx, "date_to") or today
    default_span = {"dag": 29, "week": 7 * 12 - 1, "maand": 365}[granularity]
    first = _date_param(ctx, "date_from") or last - timedelta(days=default_span)
    if first > last:
        first, last = last, first
    period_first = reports.period_start(first, granularity)
    filters = summaries.Filters(date_from=period_first, date_to=last)
    found = summaries.matching(ctx.session, ctx.settings, filters)
    periods = reports.periods(found, ctx.settings, first, last, granularity)
    topics = reports.top_topics(found)

    def list_url(period=None, **extra) -> str:
        start = period.start if period else period_first
        end = period.end if period else last
        return "/console/gesprekken?" + urlencode(
            {"date_from": start.isoformat(), "date_to": end.isoformat(), **extra}
        )

    return render(
        ctx,
        "charts.html",
        granularity=granularity,
        granularities=reports.GRANULARITIES,
        first=first,
        last=last,
        periods=periods,
        topics=topics,
        list_url=list_url,
        csv_url="/console/export.csv?"
        + urlencode({"date_from": period_first.isoformat(), "date_to": last.isoformat()}),
        charts={
            "gesprekken": reports.bar_chart(
                "Gesprekken " + reports.GRANULARITIES[granularity],
                [(p.label, p.conversations) for p in periods],
            ),
            "onderwerpen": reports.horizontal_bar_chart(
                "Meest gevraagde onderwerpen", [(label, count) for _, label, count in topics]
            ),
            "terugval": reports.bar_chart(
                "Gesprekken met een terugval (%)", [(p.label, p.fallback_rate) for p in periods], "%", 100
            ),
            "overdracht": reports.bar_chart(
                "Gesprekken overgedragen aan een adviseur (%)",
                [(p.label, p.handoff_rate) for p in periods],
                "%",
                100,
            ),
            "zelf": reports.bar_chart(
                "Zelf afgehandeld, zonder terugval of overdracht (%)",
                [(p.label, p.containment) for p in periods],
                "%",
                100,
            ),
            "cijfer": reports.bar_chart(
                "Gemiddeld cijfer", [(p.label, p.average_rating) for p in periods], "", 10
            ),
        },
    )


def audit_page(ctx: Context) -> Response:
    return render(ctx, "audit.html", entries=privacy.audit_entries(ctx.session))
