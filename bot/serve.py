"""Starts every service of the help desk in the foreground (`make run`).

Rasa (5005), the action server (5055), the CRM outbox worker and the other
processes listed in `services()` run as children; Ctrl-C or the end of any one of them stops all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from bot.settings import ENV_FILE, PROJECT_ROOT, VAR_DIR, Settings, get_settings, read_env_file

VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Service:
    name: str
    command: list[str]


def child_environment(settings: Settings) -> dict[str, str]:
    """The environment every child gets: .env values, then the real environment."""
    env = read_env_file(ENV_FILE)
    env.update(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "TRACKER_STORE_URL": settings.tracker_store_url,
            "ACTION_SERVER_URL": settings.action_server_url,
            "SANIC_HOST": settings.bind_host,
            "PYTHONUNBUFFERED": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    return env


def lock_store_config(redis_url: str) -> dict:
    parts = urlsplit(redis_url)
    database = (parts.path or "/1").lstrip("/") or "1"
    config = {
        "type": "redis",
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(database),
        "key_prefix": "loket",
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    if parts.scheme == "rediss":
        config["use_ssl"] = True
    return config


def write_endpoints(settings: Settings, source: Path = PROJECT_ROOT / "endpoints.yml") -> Path:
    """endpoints.yml plus, when REDIS_URL is set, the Redis lock store."""
    endpoints = yaml.safe_load(source.read_text(encoding="utf-8"))
    if settings.redis_url:
        endpoints["lock_store"] = lock_store_config(settings.redis_url)
    target = VAR_DIR / "endpoints.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    return target


def newest_model(models_dir: Path = PROJECT_ROOT / "models") -> Path | None:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    return models[-1] if models else None


def services(settings: Settings, model: Path, endpoints: Path, cors: str) -> list[Service]:
    python = str(VENV_BIN / "python")
    # Rasa's command line as the project runs it (bot/rasa_cli.py).
    rasa = [python, "-m", "bot.rasa_cli"]
    return [
        # Delivers the CRM outbox; with CRM_WEBHOOK_URL unset cases wait in the outbox.
        Service("crm", [python, "-m", "bot", "crm", "worker"]),
        Service(
            "acties",
            [*rasa, "run", "actions", "--actions", "actions", "--port", str(settings.actions_port)],
        ),
        # The demo site with the widget, the advisors' console and the JSON API (port 8000).
        Service("web", [python, "-m", "bot", "web", "serve"]),
        Service(
            "rasa",
            [
                *rasa,
                "run",
                "--model",
                str(model),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(PROJECT_ROOT / "credentials.yml"),
                "--enable-api",
                "--auth-token",
                settings.rasa_api_token,
                "--interface",
                settings.bind_host,
                "--port",
                str(settings.rasa_port),
                "--cors",
                cors,
            ],
        ),
    ]


def run(model: Path | None = None) -> int:
    settings = get_settings()
    if not settings.rasa_api_token:
        raise SystemExit("FOUT: RASA_API_TOKEN ontbreekt; voer `make run` uit of zet hem in .env.")
    model = model or newest_model()
    if model is None:
        raise SystemExit("FOUT: geen model in models/; voer eerst `make train` uit.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    env = child_environment(settings)
    endpoints = write_endpoints(settings)
    cors = settings.chat_cors_pattern  # the web app and WIDGET_SITE_ORIGINS (bot/settings.py)
    children: list[tuple[Service, subprocess.Popen]] = []
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"==> model: {model.name}")
    for service in services(settings, model, endpoints, cors):
        print(f"==> start {service.name}")
        children.append((service, subprocess.Popen(service.command, cwd=PROJECT_ROOT, env=env)))
    print(
        f"==> Rasa op http://{settings.bind_host}:{settings.rasa_port}, "
        f"acties op :{settings.actions_port}, website op http://{settings.bind_host}:{settings.web_port}/. "
        "Stoppen met Ctrl-C."
    )
    exit_code = 0
    try:
        while not stopping:
            for service, process in children:
                if process.poll() is not None:
                    print(
                        f"==> {service.name} is gestopt (code {process.returncode}); alles stopt",
                        file=sys.stderr,
                    )
                    exit_code = process.returncode or 1
                    stopping = True
            time.sleep(0.5)
    finally:
        for _service, process in children:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 15
        for _service, process in children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
    return exit_code
