"""The catalog on PostgreSQL (as in production with several Rasa instances): the
migration, a load, the lookups and an action give the same answers as on SQLite."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from catalog_support import INSTRUMENTS, all_text, run_action, tracker, write_content

from actions.catalog import ActionAnswerScheme, ActionAnswerTopic
from bot.catalog import queries
from bot.catalog.content import ContentInvalid, load_content
from bot.db import session_scope


def test_load_lookups_and_actions_on_postgres(postgres_url, tmp_path, configure):
    settings = configure()
    first = load_content(settings=settings)
    assert load_content(settings=settings).instruments.unchanged == first.instruments.added
    with pytest.raises(ContentInvalid):
        load_content(
            write_content(tmp_path / "bad", instruments=INSTRUMENTS.replace("kind: own", "kind: eigen")),
            settings=settings,
        )

    with session_scope(postgres_url) as session:
        growth = queries.best_instruments(
            session, "growth", "small", "Assen", "horeca", today=date(2026, 11, 27), settings=settings
        )
        names = [i.name for i in growth]
        assert "Groeicarrousel" in names and "Ondernemerstafel" in names
        assert queries.find_scheme_id(session, "Tozo-lening") == "tozo"
        now = datetime(2026, 11, 27, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))
        events = queries.upcoming_events(session, now, municipality="Emmen", settings=settings)
        assert events and all(e.online or e.municipality == "Emmen" for e in events)
        assert queries.topic_in_text(session, "webinar over exporteren") == "export"

    dispatcher, _ = run_action(ActionAnswerTopic(), tracker("ask_export", "export", [("employees", "4")]))
    assert "Exportcarrousel" in all_text(dispatcher.messages)
    dispatcher, _ = run_action(ActionAnswerScheme(), tracker("ask_corona_scheme", "now", [("scheme", "now")]))
    assert "UWV" in all_text(dispatcher.messages)
