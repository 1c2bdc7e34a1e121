"""`make bench`: the help desk under load, beside a default Rasa bot measured in the same run.

Drives the REST channel with simultaneous conversations of realistic Dutch turns (a topic
question, a follow-up, a booking down to its reference) and prints p50/p95 latency and
messages per second for

  (a) 20 conversations, each user pausing 3 s between messages, and
  (b) saturation: 20 conversations with no pause, for a fixed time.

The peer is a default `rasa init` bot (one worker, in-memory tracker store, no action
server), trained in a temporary folder with the same .venv and sent the same messages.
The help desk runs with the SQL tracker store on SQLite and, with --postgres, on
PostgreSQL (scripts/postgres.sh); with --scaled also as the scale-out profile
(`python -m bot serve --scaled`: two Rasa instances behind nginx, Redis lock store).
Every server runs on loopback on free ports, with its own throwaway databases, and is
stopped at the end. All loops are bounded in count and time. The table goes to docs/performance.md (--write).

Usage: .venv/bin/python scripts/bench.py [--postgres] [--scaled] [--write] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
# The peer runs on Rasa's own command line, exactly as `rasa init` users run it.
PEER_RASA = str(ROOT / ".venv" / "bin" / "rasa")
REPORT = ROOT / "docs" / "performance.md"
STARTUP_SECONDS = 300
REQUEST_TIMEOUT = 60
# A Tuesday morning: the help desk is open, so the booking offers appointments.
FAKE_NOW = "2026-11-24T10:00:00+01:00"
REFERENCE = re.compile(r"\bAFS-[A-Z2-9]{6}\b")
PEER = "peer: default `rasa init` bot"

TOPIC_TURNS = [
    "Hallo",
    "Wij maken kaas en willen naar Duitsland exporteren. Welke hulp is er?",
    "Wat kost dat?",
    "Ik wil graag een afspraak met een adviseur",
]
# Answers to the booking form's questions, chosen by words in the question.
FORM_ANSWERS = [
    ("naam van uw bedrijf", "Kaasmakerij De Hondsrug"),
    ("uw naam", "Anne de Vries"),
    ("plaats of gemeente", "Borger"),
    ("hoeveel mensen", "8"),
    ("waar wilt u het", "Export naar Duitsland"),
    ("e-mailadres", "anne@kaasmakerij.example.org"),
    ("telefoonnummer", "06 12345678"),
]
MAX_FORM_TURNS = 14


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    bookings: int = 0
    started: float = 0.0
    ended: float = 0.0

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        elapsed = max(self.ended - self.started, 1e-9)
        return {
            "messages": len(ordered),
            "p50_ms": 1000 * statistics.median(ordered) if ordered else float("nan"),
            "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            if ordered
            else float("nan"),
            "per_s": len(ordered) / elapsed,
            "failures": self.failures,
            "bookings": self.bookings,
        }


# --------------------------------------------------------------------------- load


async def send(
    session: aiohttp.ClientSession, url: str, sender: str, text: str, sample: Sample
) -> list[dict]:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            replies = await response.json() if response.status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError):
        replies = None
    sample.latencies.append(time.perf_counter() - started)
    if not replies:
        sample.failures += 1  # an error or an empty reply both count: a user would see nothing
        return []
    return replies


def next_form_answer(replies: list[dict]) -> str | None:
    buttons = [button for reply in replies for button in reply.get("buttons") or []]
    if buttons:
        return buttons[0]["payload"]  # a free slot, a contact way, "ja" at the confirmation
    asked = " ".join(reply.get("text") or "" for reply in replies).lower()
    return next((answer for words, answer in FORM_ANSWERS if words in asked), None)


async def conversation(
    session: aiohttp.ClientSession, url: str, sample: Sample, pause: float, deadline: float
) -> None:
    """One entrepreneur: a topic question, a follow-up, then a booking to its reference.
    The peer bot answers the same texts its own way; the form part then stops early."""
    sender = f"bench-{uuid.uuid4().hex}"
    replies: list[dict] = []
    for text in TOPIC_TURNS:
        if time.monotonic() > deadline:
            return
        replies = await send(session, url, sender, text, sample)
        await asyncio.sleep(pause)
    for _turn in range(MAX_FORM_TURNS):
        if REFERENCE.search(" ".join(reply.get("text") or "" for reply in replies)):
            sample.bookings += 1
            return
        answer = next_form_answer(replies)
        if answer is None or time.monotonic() > deadline:
            return
        replies = await send(session, url, sender, answer, sample)
        await asyncio.sleep(pause)


async def paced(url: str, users: int, pause: float, limit: float) -> Sample:
    """(a): `users` conversations side by side, starts spread over one pause."""
    sample = Sample()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        deadline = time.monotonic() + limit

        async def user(index: int) -> None:
            await asyncio.sleep(pause * index / users)
            await conversation(session, url, sample, pause, deadline)

        sample.started = time.perf_counter()
        await asyncio.gather(*(user(index) for index in range(users)))
        sample.ended = time.perf_counter()
    return sample


async def saturated(url: str, users: int, duration: float) -> Sample:
    """(b): `users` conversations with no pause, each starting a new one when done, for `duration` s."""
    sample = Sample()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        deadline = time.monotonic() + duration

        async def user() -> None:
            while time.monotonic() < deadline:
                await conversation(session, url, sample, 0.0, deadline)

        sample.started = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(users)))
        sample.ended = time.perf_counter()
    return sample


async def warm_up(url: str) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)) as session:
        await conversation(session, url, Sample(), 0.0, time.monotonic() + 120)


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    import requests

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server stopped early; last log lines:\n{log.read_text()[-3000:]}")
        try:
            if requests.post(url, json={"sender": "bench-probe", "message": "hallo"}, timeout=30).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(2)
    raise SystemExit(f"server not ready after {STARTUP_SECONDS} s; see {log}")


@contextmanager
def running(command: list[str], cwd: Path, env: dict[str, str], url: str, log: Path) -> Iterator[None]:
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(url, process, log)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"})
    return env


def train_peer(work: Path) -> Path:
    """A default `rasa init` bot, trained in `work` with the project's .venv."""
    print("==> peer: rasa init (trains the default bot)", flush=True)
    started = time.monotonic()
    log = work / "train.log"
    with log.open("w") as output:
        trained = subprocess.run(
            [PEER_RASA, "init", "--no-prompt", "--init-dir", str(work)],
            cwd=work,
            env=base_env(),
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=1800,
        )
    if trained.returncode != 0:
        raise SystemExit(f"rasa init failed; last lines of {log}:\n{log.read_text()[-3000:]}")
    models = sorted((work / "models").glob("*.tar.gz"))
    if not models:
        raise SystemExit("rasa init made no model")
    print(f"    trained in {time.monotonic() - started:.0f} s", flush=True)
    return models[-1]


@contextmanager
def peer_server(work: Path, model: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    command = [PEER_RASA, "run", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1"]
    with running(command, work, base_env(), url, work / "peer.log"):
        yield url


@contextmanager
def helpdesk_server(work: Path, tracker_store_url: str, scaled_database: str | None = None) -> Iterator[str]:
    """`python -m bot serve`; with `scaled_database`, the scale-out profile (`--scaled`):
    two Rasa instances behind nginx, Redis lock store, that PostgreSQL database for both
    the tracker store and the application database."""
    rasa_port = free_port()
    env = base_env()
    env.update(
        {
            "RASA_PORT": str(rasa_port),
            "ACTIONS_PORT": str(free_port()),
            "WEB_PORT": str(free_port()),
            "DATABASE_URL": scaled_database or f"sqlite:///{work / 'loket.db'}",
            "TRACKER_STORE_URL": tracker_store_url,
            "RASA_API_TOKEN": uuid.uuid4().hex,
            "LOKET_FAKE_NOW": FAKE_NOW,
        }
    )
    command = [PYTHON, "-m", "bot", "serve"]
    if scaled_database:
        env["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
        env["RASA_INSTANCE_PORTS"] = f"{free_port()},{free_port()}"
        command.append("--scaled")
    env.pop("CRM_WEBHOOK_URL", None)  # cases stay in the outbox
    for step in (["db", "upgrade"], ["catalog", "load"], ["agenda", "seed-sample"]):
        subprocess.run([PYTHON, "-m", "bot", *step], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    with running(command, ROOT, env, url, work / "helpdesk.log"):
        yield url


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on the project's throwaway PostgreSQL server, dropped afterwards."""
    from sqlalchemy import create_engine, text

    script = ["bash", str(ROOT / "scripts" / "postgres.sh")]
    was_running = subprocess.run([*script, "status"], check=False).returncode == 0
    subprocess.run([*script, "start"], check=True)
    server = subprocess.run([*script, "url"], check=True, capture_output=True, text=True).stdout.strip()
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        if not was_running:  # leave the machine as it was
            subprocess.run([*script, "stop"], check=False)


# --------------------------------------------------------------------------- report


def measure(name: str, url: str, users: int, pause: float, duration: float) -> dict[str, dict[str, float]]:
    asyncio.run(warm_up(url))
    print(f"==> {name}: (a) {users} conversations, {pause:.0f} s between messages", flush=True)
    paced_result = asyncio.run(paced(url, users, pause, limit=duration * 4)).summary()
    print(f"    {format_row(paced_result)}", flush=True)
    print(f"==> {name}: (b) saturation, {users} conversations without pause, {duration:.0f} s", flush=True)
    saturated_result = asyncio.run(saturated(url, users, duration)).summary()
    print(f"    {format_row(saturated_result)}", flush=True)
    return {"a": paced_result, "b": saturated_result}


def format_row(result: dict[str, float]) -> str:
    return (
        f"{result['messages']:.0f} messages, p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, "
        f"{result['per_s']:.1f} msg/s, {result['failures']:.0f} failed, {result['bookings']:.0f} bookings"
    )


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    rasa_version = subprocess.run(
        [PYTHON, "-c", "import rasa; print(rasa.__version__)"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({model}), {memory_kib / 1024 / 1024:.0f} GiB memory, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, Rasa {rasa_version}"
    )


def table(results: dict[str, dict[str, dict[str, float]]], users: int, pause: float, duration: float) -> str:
    peer = results[PEER]
    lines = [
        f"(a) {users} conversations, {pause:.0f} s between a user's messages; "
        f"(b) {users} conversations without pause for {duration:.0f} s.",
        "",
        "| system | (a) p50 | (a) p95 | (a) p95 vs peer | (b) msg/s | (b) vs peer | (b) p95 | failed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, result in results.items():
        a, b = result["a"], result["b"]
        latency_ratio, rate_ratio = a["p95_ms"] / peer["a"]["p95_ms"], b["per_s"] / peer["b"]["per_s"]
        failed = a["failures"] + b["failures"]
        lines.append(
            f"| {name} | {a['p50_ms']:.0f} ms | {a['p95_ms']:.0f} ms | {latency_ratio:.2f}× | "
            f"{b['per_s']:.1f} | {rate_ratio:.2f}× | {b['p95_ms']:.0f} ms | {failed:.0f} |"
        )
    return "\n".join(lines)


def write_report(body: str) -> None:
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    block = f"{start}\nMeasured {when} on {machine()}.\n\n{body}\n{end}"
    current = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Performance\n\n"
    if start in current and end in current:
        current = current[: current.index(start)] + block + current[current.index(end) + len(end) :]
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    REPORT.write_text(current, encoding="utf-8")
    print(f"==> written to {REPORT.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", action="store_true", help="also measure the PostgreSQL tracker store")
    parser.add_argument(
        "--scaled",
        action="store_true",
        help="also measure the scale-out profile (2 Rasa instances, nginx, Redis, PostgreSQL)",
    )
    parser.add_argument("--write", action="store_true", help="write the table to docs/performance.md")
    parser.add_argument("--quick", action="store_true", help="5 conversations, 1 s pause, 10 s saturation")
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args(argv)
    users, pause, duration = (5, 1.0, 10.0) if args.quick else (args.users, 3.0, 30.0)

    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as folder:
        work = Path(folder)
        (work / "peer").mkdir()
        model = train_peer(work / "peer")
        with peer_server(work / "peer", model) as url:
            results[PEER] = measure("peer", url, users, pause, duration)
        (work / "sqlite").mkdir()
        with helpdesk_server(work / "sqlite", f"sqlite:///{work / 'sqlite' / 'tracker.db'}") as url:
            results["help desk, SQLite tracker store"] = measure(
                "help desk (SQLite)", url, users, pause, duration
            )
        if args.postgres:
            (work / "postgres").mkdir()
            with postgres_database() as tracker_url, helpdesk_server(work / "postgres", tracker_url) as url:
                results["help desk, PostgreSQL tracker store"] = measure(
                    "help desk (PostgreSQL)", url, users, pause, duration
                )
        if args.scaled:
            (work / "scaled").mkdir()
            with postgres_database() as database, helpdesk_server(work / "scaled", database, database) as url:
                results["help desk, scaled profile: 2 Rasa instances, nginx, Redis, PostgreSQL"] = measure(
                    "help desk (scaled profile)", url, users, pause, duration
                )
    body = table(results, users, pause, duration)
    print("\n" + body)
    if args.write and not args.quick:
        write_report(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
