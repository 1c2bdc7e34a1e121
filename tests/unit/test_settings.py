import os
import stat
from datetime import datetime

from bot.settings import ensure_env_file, read_env_file, settings_from


def test_defaults_work_on_a_laptop():
    settings = settings_from({})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("var/loket.db")
    assert settings.tracker_store_url.endswith("var/tracker.db")
    assert settings.redis_url is None and settings.crm_webhook_url is None
    assert settings.timezone_name == "Europe/Amsterdam"
    assert (settings.rasa_port, settings.actions_port, settings.web_port) == (5005, 5055, 8000)
    assert settings.bind_host == "127.0.0.1"


def test_fake_now_is_taken_in_the_help_desk_time_zone():
    settings = settings_from({"LOKET_FAKE_NOW": "2026-12-01T20:30:00"})
    now = settings.now()
    assert (now.hour, now.minute) == (20, 30)
    offset = now.utcoffset()
    assert offset is not None and offset.total_seconds() == 3600  # CET in winter


def test_fake_now_with_offset_is_converted():
    settings = settings_from({"LOKET_FAKE_NOW": "2026-07-01T08:00:00+00:00"})
    assert settings.now().hour == 10  # CEST


def test_real_clock_without_fake_now():
    settings = settings_from({})
    assert abs((settings.now() - datetime.now(settings.tz)).total_seconds()) < 5


def test_env_file_is_created_once_with_private_mode(tmp_path):
    path = tmp_path / ".env"
    assert ensure_env_file(path) is True
    first = read_env_file(path)
    assert len(first["RASA_API_TOKEN"]) >= 32 and len(first["WEB_SESSION_SECRET"]) >= 48
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ensure_env_file(path) is False
    assert read_env_file(path) == first


def test_env_file_parser_skips_comments_and_strips_quotes(tmp_path):
    path = tmp_path / ".env"
    path.write_text('# comment\n\nDATABASE_URL="sqlite:///x.db"\nLOKET_TZ = Europe/Amsterdam\nnonsense\n')
    assert read_env_file(path) == {"DATABASE_URL": "sqlite:///x.db", "LOKET_TZ": "Europe/Amsterdam"}
