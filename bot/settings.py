"""One settings object for the whole help desk, read from the environment.

A `.env` file at the project root is read first; real environment variables win.
Defaults work on a laptop: SQLite files under `var/`, no external services.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
ENV_FILE = PROJECT_ROOT / ".env"


def read_env_file(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines; blank lines and comments are skipped."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{VAR_DIR / name}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_store_url: str
    redis_url: str | None
    crm_webhook_url: str | None
    timezone_name: str
    fake_now: str | None
    rasa_api_token: str
    session_secret: str
    rasa_url: str
    # Where browsers reach the Rasa server (the widget's chat URL; CSP connect-src).
    rasa_public_url: str
    action_server_url: str
    rasa_port: int
    actions_port: int
    web_port: int
    bind_host: str
    helpdesk_phone: str
    helpdesk_email: str
    helpdesk_website: str
    # Opening hours as "mon-fri 09:00-17:00; sat 10:00-12:00" (parsed by bot/clock.py).
    helpdesk_hours: str
    hotline_hours: str
    hotline_crisis_hours: str
    crisis_mode: bool
    # Advisors' agenda (bot/booking/): lengths in minutes, multiples of 15.
    appointment_minutes: int
    callback_window_minutes: int
    urgent_callback_windows: int
    booking_horizon_days: int
    crm_timeout_seconds: float
    # The scale-out profile's Rasa instances (bot/scaled.py); nginx listens on rasa_port.
    rasa_instance_ports: tuple[int, ...]
    # Other sites that embed the widget (WIDGET_SITE_ORIGINS); the web app's own origin is always allowed.
    widget_site_origins: tuple[str, ...] = ()
    # Conversations and the personal data tied to them are purged after this many days.
    retention_days: int = 365

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone_name)

    @property
    def chat_origins(self) -> tuple[str, ...]:
        """The origins whose pages may talk to Rasa from the browser (Rasa's CORS): the web
        app itself (by its address and, on loopback, also as localhost) and WIDGET_SITE_ORIGINS."""
        own = [f"http://{self.bind_host}:{self.web_port}"]
        if self.bind_host in ("127.0.0.1", "localhost"):
            own = [f"http://127.0.0.1:{self.web_port}", f"http://localhost:{self.web_port}"]
        return tuple(dict.fromkeys([*own, *self.widget_site_origins]))

    @property
    def chat_cors_pattern(self) -> str:
        """`chat_origins` as the one anchored regular expression Rasa's `--cors` takes
        (sanic-cors treats a value with a backslash as a pattern)."""
        return "^(?:" + "|".join(re.escape(origin) for origin in self.chat_origins) + ")$"

    def now(self) -> datetime:
        """The help desk's "now": LOKET_FAKE_NOW when set (tests), else the real clock."""
        if self.fake_now:
            moment = datetime.fromisoformat(self.fake_now)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.tz)
            return moment.astimezone(self.tz)
        return datetime.now(self.tz)


def settings_from(env: Mapping[str, str]) -> Settings:
    def get(key: str, default: str = "") -> str:
        value = env.get(key)
        return value if value not in (None, "") else default

    rasa_port = int(get("RASA_PORT", "5005"))
    actions_port = int(get("ACTIONS_PORT", "5055"))
    host = get("BIND_HOST", "127.0.0.1")
    return Settings(
        database_url=get("DATABASE_URL", _sqlite_url("loket.db")),
        tracker_store_url=get("TRACKER_STORE_URL", _sqlite_url("tracker.db")),
        redis_url=get("REDIS_URL") or None,
        crm_webhook_url=get("CRM_WEBHOOK_URL") or None,
        timezone_name=get("LOKET_TZ", "Europe/Amsterdam"),
        fake_now=get("LOKET_FAKE_NOW") or None,
        rasa_api_token=get("RASA_API_TOKEN"),
        session_secret=get("WEB_SESSION_SECRET"),
        rasa_url=get("RASA_URL", f"http://{host}:{rasa_port}"),
        rasa_public_url=get("RASA_PUBLIC_URL", f"http://{host}:{rasa_port}").rstrip("/"),
        action_server_url=get("ACTION_SERVER_URL", f"http://{host}:{actions_port}/webhook"),
        rasa_port=rasa_port,
        actions_port=actions_port,
        web_port=int(get("WEB_PORT", "8000")),
        bind_host=host,
        # Example contact details: replace them with the program's real ones in .env.
        helpdesk_phone=get("HELPDESK_PHONE", "0592 00 00 00 (voorbeeldnummer)"),
        helpdesk_email=get("HELPDESK_EMAIL", "vraagbaak@example.org"),
        helpdesk_website=get("HELPDESK_WEBSITE", "https://www.example.org/ondernemersloket"),
        helpdesk_hours=get("LOKET_HELPDESK_HOURS", "mon-fri 09:00-17:00"),
        hotline_hours=get("LOKET_HOTLINE_HOURS", "mon-fri 09:00-17:00"),
        hotline_crisis_hours=get("LOKET_HOTLINE_CRISIS_HOURS", "mon-fri 09:00-21:00"),
        crisis_mode=get("LOKET_CRISIS_MODE", "false").strip().lower() in ("1", "true", "yes", "ja", "on"),
        appointment_minutes=int(get("LOKET_APPOINTMENT_MINUTES", "45")),
        callback_window_minutes=int(get("LOKET_CALLBACK_MINUTES", "30")),
        urgent_callback_windows=int(get("LOKET_URGENT_CALLBACK_WINDOWS", "2")),
        booking_horizon_days=int(get("LOKET_BOOKING_HORIZON_DAYS", "28")),
        crm_timeout_seconds=float(get("CRM_TIMEOUT_SECONDS", "10")),
        rasa_instance_ports=tuple(
            int(port) for port in get("RASA_INSTANCE_PORTS", "5006,5007").split(",") if port.strip()
        ),
        widget_site_origins=site_origins(get("WIDGET_SITE_ORIGINS")),
        retention_days=int(get("PRIVACY_RETENTION_DAYS", "365")),
    )


def site_origins(value: str) -> tuple[str, ...]:
    """WIDGET_SITE_ORIGINS: comma-separated origins such as `https://www.example.org`."""
    origins = []
    for item in value.split(","):
        origin = item.strip().rstrip("/")
        if not origin:
            continue
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?", origin):
            raise ValueError(f"WIDGET_SITE_ORIGINS: {origin!r} is no origin like https://www.example.org")
        origins.append(origin)
    return tuple(origins)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = read_env_file(ENV_FILE)
    env.update(os.environ)
    return settings_from(env)


def ensure_env_file(path: Path = ENV_FILE) -> bool:
    """Create `.env` (mode 600) with fresh secrets if it does not exist yet."""
    if path.exists():
        return False
    lines = [
        "# Created by `make run`; secrets are random. See README.md for every variable.",
        f"RASA_API_TOKEN={secrets.token_urlsafe(32)}",
        f"WEB_SESSION_SECRET={secrets.token_urlsafe(48)}",
    ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return True
