"""The scale-out profile (`make run-scaled`, `python -m bot serve --scaled`).

Two Rasa instances share one SQL tracker store (PostgreSQL) and take turns on a
conversation through Rasa's Redis lock store; nginx on the public Rasa port spreads
REST messages over both (any instance can take any message) and keeps socket.io
clients on one instance (its sessions live in one process). Redis and nginx run as
children of the same supervisor as the help desk's own services, so a crashed one is
restarted too. See docs/deploy.md.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.settings import Settings
from bot.supervisor import Service

# A dead instance's lock on a conversation expires after this many seconds (Rasa's
# default is 60): the other instance then takes the conversation over.
LOCK_LIFETIME_SECONDS = 10


def redis_port(settings: Settings) -> int | None:
    """The port of a Redis on this machine that the profile starts itself, else None."""
    if not settings.redis_url:
        return None
    parts = urlsplit(settings.redis_url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        return None
    return parts.port or 6379


def nginx_config(settings: Settings, run_dir: Path) -> str:
    """nginx in front of the Rasa instances, logs and temporary files in `run_dir`."""
    servers = "\n".join(
        f"    server {settings.bind_host}:{port} max_fails=1 fail_timeout=5s;"
        for port in settings.rasa_instance_ports
    )
    return f"""# Written by bot/scaled.py for `make run-scaled`; changes are overwritten.
worker_processes 1;
pid {run_dir}/nginx.pid;
error_log {run_dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  # $uri, not $request: the query string can carry Rasa's API token.
  log_format upstreams '$remote_addr [$time_local] "$request_method $uri" $status '
                       '$upstream_addr $request_time';
  access_log {run_dir}/nginx-access.log upstreams;
  client_body_temp_path {run_dir}/body;
  proxy_temp_path {run_dir}/proxy;
  fastcgi_temp_path {run_dir}/fastcgi;
  uwsgi_temp_path {run_dir}/uwsgi;
  scgi_temp_path {run_dir}/scgi;
  client_max_body_size 256k;
  client_body_buffer_size 256k;
  server_tokens off;

  # REST: any instance may take any message; the Redis lock store serialises a conversation.
  upstream rasa {{
{servers}
    keepalive 16;
  }}
  # socket.io: one client stays on one instance.
  upstream rasa_sticky {{
    hash $remote_addr consistent;
{servers}
  }}
  server {{
    listen {settings.bind_host}:{settings.rasa_port};
    location /socket.io/ {{
      proxy_pass http://rasa_sticky;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
    }}
    location / {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_request_buffering off;
      # A refused connection (an instance that is down) is tried on the other one.
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
    }}
  }}
}}
"""


def scaled_services(settings: Settings, rasa_command: list[str], run_dir: Path) -> list[Service]:
    """Redis, nginx and one Rasa service per instance port; `rasa_command` lacks only --port."""
    run_dir.mkdir(parents=True, exist_ok=True)
    config = run_dir / "nginx.conf"
    config.write_text(nginx_config(settings, run_dir), encoding="utf-8")
    extra: list[Service] = []
    port = redis_port(settings)
    if port is not None:
        extra.append(
            Service(
                "redis",
                [
                    "redis-server",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(run_dir),
                    "--protected-mode",
                    "yes",
                ],
            )
        )
    extra.append(
        Service(
            "nginx", ["nginx", "-e", str(run_dir / "nginx-error.log"), "-c", str(config), "-g", "daemon off;"]
        )
    )
    instances = [
        Service(f"rasa-{number}", [*rasa_command, "--port", str(port)])
        for number, port in enumerate(settings.rasa_instance_ports, start=1)
    ]
    return extra + instances
