"""Starts every service of the help desk in the foreground (`make run`).

Rasa (5005), the action server (5055), the CRM outbox worker and the web app (8000),
listed in `services()`, run as children of a supervisor (bot/supervisor.py): a child
that stops is started again with back-off; Ctrl-C stops them all.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests
import yaml

from bot.scaled import LOCK_LIFETIME_SECONDS, scaled_services
from bot.settings import ENV_FILE, PROJECT_ROOT, VAR_DIR, Settings, get_settings, read_env_file
from bot.supervisor import RUNNING, STARTING, STOPPED, WAITING, Service, Supervisor, read_status

VENV_BIN = Path(sys.executable).parent


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
    # One TensorFlow/OpenMP thread per process instead of a pool per core: on a small
    # machine Rasa then spends less CPU per message (measured in docs/performance.md);
    # set the variables in .env or the environment to override.
    for variable in ("TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS", "OMP_NUM_THREADS"):
        env.setdefault(variable, "1")
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


def rasa_command(settings: Settings, model: Path, endpoints: Path, cors: str) -> list[str]:
    """`rasa run` as the project runs it (bot/rasa_cli.py), without --port."""
    return [
        str(VENV_BIN / "python"),
        "-m",
        "bot.rasa_cli",
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
        "--cors",
        cors,
    ]


def services(
    settings: Settings, model: Path, endpoints: Path, cors: str, scaled: bool = False
) -> list[Service]:
    python = str(VENV_BIN / "python")
    rasa = rasa_command(settings, model, endpoints, cors)
    base = [
        # Delivers the CRM outbox; with CRM_WEBHOOK_URL unset cases wait in the outbox.
        Service("crm", [python, "-m", "bot", "crm", "worker"]),
        Service(
            "acties",
            [
                python,
                "-m",
                "bot.rasa_cli",
                "run",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(settings.actions_port),
            ],
        ),
        # The demo site with the widget, the advisors' console and the JSON API (port 8000).
        Service("web", [python, "-m", "bot", "web", "serve"]),
    ]
    if scaled:
        return base + scaled_services(settings, rasa, VAR_DIR / f"scaled-{settings.rasa_port}")
    return [*base, Service("rasa", [*rasa, "--port", str(settings.rasa_port)])]


def status_file(settings: Settings) -> Path:
    """Where the launcher of this configuration writes its services' state (one per Rasa port)."""
    return VAR_DIR / f"services-{settings.rasa_port}.json"


def run(model: Path | None = None, scaled: bool = False) -> int:
    settings = get_settings()
    if not settings.rasa_api_token:
        raise SystemExit("FOUT: RASA_API_TOKEN ontbreekt; voer `make run` uit of zet hem in .env.")
    model = model or newest_model()
    if model is None:
        raise SystemExit("FOUT: geen model in models/; voer eerst `make train` uit.")
    if scaled and not settings.redis_url:
        raise SystemExit(
            "FOUT: het schaalprofiel heeft REDIS_URL nodig (de lock store van de Rasa-instanties)."
        )
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    endpoints = write_endpoints(settings)
    cors = settings.chat_cors_pattern  # the web app and WIDGET_SITE_ORIGINS (bot/settings.py)
    env = child_environment(settings)
    if scaled:
        env["TICKET_LOCK_LIFETIME"] = str(LOCK_LIFETIME_SECONDS)
    supervisor = Supervisor(
        services(settings, model, endpoints, cors, scaled),
        env=env,
        cwd=PROJECT_ROOT,
        status_file=status_file(settings),
    )
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    print(f"==> model: {model.name}")
    print(
        f"==> Rasa op http://{settings.bind_host}:{settings.rasa_port}, "
        f"acties op :{settings.actions_port}, website op http://{settings.bind_host}:{settings.web_port}/. "
        "Een dienst die stopt wordt opnieuw gestart; `python -m bot status` toont de stand. "
        "Stoppen met Ctrl-C."
    )
    return supervisor.run()


def health_urls(settings: Settings) -> dict[str, str]:
    """Each HTTP service's health address; the CRM worker has none (its process state tells)."""
    host = settings.bind_host
    urls = {
        "rasa": f"http://{host}:{settings.rasa_port}/version",
        "nginx": f"http://{host}:{settings.rasa_port}/version",
        "acties": f"http://{host}:{settings.actions_port}/health",
        "web": f"http://{host}:{settings.web_port}/healthz",
    }
    for number, port in enumerate(settings.rasa_instance_ports, start=1):
        urls[f"rasa-{number}"] = f"http://{host}:{port}/version"
    return urls


def health(settings: Settings, timeout: float = 2.0) -> dict:
    """The launcher's view of every service plus whether its HTTP health check answers."""
    status = read_status(status_file(settings))
    if status is None:
        return {"running": False, "services": []}
    urls = health_urls(settings)
    for service in status["services"]:
        url = urls.get(service["name"])
        if url is None:
            service["healthy"] = service["state"] == RUNNING
            continue
        try:
            service["healthy"] = requests.get(url, timeout=timeout).ok
        except requests.RequestException:
            service["healthy"] = False
    return {"running": True, "services": status["services"]}


def print_health(as_json: bool = False) -> int:
    """`python -m bot status`: 0 when every service runs and answers, 1 otherwise."""
    report = health(get_settings())
    healthy = report["running"] and all(service["healthy"] for service in report["services"])
    if as_json:
        print(json.dumps({**report, "healthy": healthy}, indent=2))
        return 0 if healthy else 1
    if not report["running"]:
        print("Er draait geen `make run` met deze instellingen.")
        return 1
    for service in report["services"]:
        state = STATE_LABELS.get(service["state"], service["state"])
        extra = f", herstart over {service['restart_in_seconds']} s" if service["restart_in_seconds"] else ""
        answer = "antwoordt" if service["healthy"] else "antwoordt niet"
        print(f"{service['name']:<7} {state:<16} {answer:<15} {service['restarts']} herstart(s){extra}")
    return 0 if healthy else 1


STATE_LABELS = {RUNNING: "draait", WAITING: "wacht op herstart", STARTING: "start", STOPPED: "gestopt"}
