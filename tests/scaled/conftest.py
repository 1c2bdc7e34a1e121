"""The scale-out profile, started for real once per run (`make test-scaled`).

`scaled` runs `python -m bot serve --scaled` on spare ports: nginx on the public Rasa
port in front of two Rasa instances, Redis as their lock store, PostgreSQL (the
server of TEST_POSTGRES_URL, fresh databases) as tracker store and application
database, plus the action server, the web app and the CRM worker, which delivers to
the real local HTTP server of the `crm` fixture.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import FAKE_NOW, ROOT, free_port

STARTUP_SECONDS = 300


def _databases(server: str, names: list[str], drop: bool = False) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        for name in names:
            if drop:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def status(env: dict[str, str], python: str) -> dict:
    result = subprocess.run(
        [python, "-m", "bot", "status", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return json.loads(result.stdout)


def wait_healthy(
    env: dict[str, str], python: str, process: subprocess.Popen, log: Path, seconds: float
) -> dict:
    deadline = time.monotonic() + seconds
    report: dict = {}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the scaled profile stopped:\n{log.read_text()[-4000:]}")
        report = status(env, python)
        if report.get("healthy"):
            return report
        time.sleep(2)
    raise RuntimeError(f"not healthy after {seconds:.0f} s: {report}\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def scaled(tmp_path_factory, crm) -> Iterator[dict]:
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        pytest.fail("TEST_POSTGRES_URL is not set: run `make test-scaled`, which starts PostgreSQL")
    work = tmp_path_factory.mktemp("scaled")
    suffix = uuid.uuid4().hex[:10]
    app_db, tracker_db = f"scaled_app_{suffix}", f"scaled_tracker_{suffix}"
    _databases(server, [app_db, tracker_db])
    base_url = server.rsplit("/", 1)[0]
    rasa_port, actions_port, web_port, redis_port = free_port(), free_port(), free_port(), free_port()
    instances = [free_port(), free_port()]
    env = dict(os.environ)
    env.update(
        {
            "RASA_PORT": str(rasa_port),
            "RASA_INSTANCE_PORTS": ",".join(map(str, instances)),
            "ACTIONS_PORT": str(actions_port),
            "WEB_PORT": str(web_port),
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "DATABASE_URL": f"{base_url}/{app_db}",
            "TRACKER_STORE_URL": f"{base_url}/{tracker_db}",
            "RASA_API_TOKEN": "scaled-token",
            "RASA_TELEMETRY_ENABLED": "false",
            "LOKET_FAKE_NOW": FAKE_NOW,
            "CRM_WEBHOOK_URL": crm.url,
        }
    )
    python = str(ROOT / ".venv" / "bin" / "python")
    for command in (["db", "upgrade"], ["catalog", "load"], ["agenda", "seed-sample"]):
        subprocess.run([python, "-m", "bot", *command], cwd=ROOT, env=env, check=True)
    log_path = work / "serve.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [python, "-m", "bot", "serve", "--scaled"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(env, python, process, log_path, STARTUP_SECONDS)
            yield {
                "base": f"http://127.0.0.1:{rasa_port}",
                "instances": instances,
                "token": "scaled-token",
                "env": env,
                "python": python,
                "tracker_url": env["TRACKER_STORE_URL"],
                "log": log_path,
                "run_dir": ROOT / "var" / f"scaled-{rasa_port}",
                "process": process,
            }
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
            _databases(server, [app_db, tracker_db], drop=True)
            shutil.rmtree(ROOT / "var" / f"scaled-{rasa_port}", ignore_errors=True)
