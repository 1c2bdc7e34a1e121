"""CPU time per message of the Rasa server and the action server.

Wall-clock figures move with whatever else the machine does; the CPU time a process
spends per message moves much less, so this is the figure to compare two settings by
on a busy machine. Starts `python -m bot serve` on spare ports with throwaway SQLite
databases, sends a realistic conversation (greeting, topic question, follow-up, a
booking form, a corona question, thanks) one message at a time, and reads the
processes' user + system CPU time from /proc before and after.

Usage: .venv/bin/python scripts/bench_cpu.py [--messages N] [VARIABLE=value ...]
       e.g. scripts/bench_cpu.py OMP_NUM_THREADS=2 TF_INTRA_OP_PARALLELISM_THREADS=2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
FAKE_NOW = "2026-11-24T10:00:00+01:00"
TURNS = [
    "Hallo",
    "Wij maken kaas en willen naar Duitsland exporteren. Welke hulp is er?",
    "Wat kost dat?",
    "Ik wil graag een afspraak met een adviseur",
    "Jan Jansen",
    "Kaasmakerij De Hondsrug",
    "Emmen",
    "12",
    "export naar Duitsland",
    "jan@example.org",
    "0612345678",
    "Welke coronaregelingen zijn er?",
    "bedankt",
]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def converse(url: str, messages: int) -> int:
    sent = 0
    while sent < messages:
        sender = uuid.uuid4().hex
        for text in TURNS:
            requests.post(url, json={"sender": sender, "message": text}, timeout=60).raise_for_status()
            sent += 1
    return sent


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=130)
    parser.add_argument("variables", nargs="*", help="VARIABLE=value for every service")
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.variables)
    with tempfile.TemporaryDirectory(prefix="loket-cpu-") as folder:
        rasa_port = free_port()
        env = dict(os.environ)
        env.update(
            {
                "RASA_PORT": str(rasa_port),
                "ACTIONS_PORT": str(free_port()),
                "WEB_PORT": str(free_port()),
                "DATABASE_URL": f"sqlite:///{folder}/loket.db",
                "TRACKER_STORE_URL": f"sqlite:///{folder}/tracker.db",
                "RASA_API_TOKEN": uuid.uuid4().hex,
                "LOKET_FAKE_NOW": FAKE_NOW,
                "RASA_TELEMETRY_ENABLED": "false",
                **extra,
            }
        )
        env.pop("CRM_WEBHOOK_URL", None)
        for step in (["db", "upgrade"], ["catalog", "load"], ["agenda", "seed-sample"]):
            subprocess.run(
                [PYTHON, "-m", "bot", *step], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
            )
        url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        with open(f"{folder}/serve.log", "w") as log:
            server = subprocess.Popen(
                [PYTHON, "-m", "bot", "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            try:
                deadline = time.monotonic() + 300
                while time.monotonic() < deadline:
                    try:
                        if requests.post(
                            url, json={"sender": "probe", "message": "hallo"}, timeout=30
                        ).json():
                            break
                    except (requests.RequestException, ValueError):
                        pass
                    time.sleep(1)
                else:
                    raise SystemExit("the help desk did not answer within 300 s")
                status = json.loads((ROOT / "var" / f"services-{rasa_port}.json").read_text())
                pids = {
                    item["name"]: item["pid"]
                    for item in status["services"]
                    if item["name"] in ("rasa", "acties")
                }
                converse(url, len(TURNS) * 2)  # warm up
                before = {name: cpu_seconds(pid) for name, pid in pids.items()}
                started = time.perf_counter()
                sent = converse(url, args.messages)
                wall = time.perf_counter() - started
                after = {name: cpu_seconds(pid) for name, pid in pids.items()}
            finally:
                server.terminate()
                server.wait(timeout=60)
    figures = ", ".join(f"{name} {(after[name] - before[name]) / sent * 1000:.1f} ms CPU" for name in pids)
    print(f"{extra or 'defaults'}: {sent} messages; per message: {figures}; wall {wall / sent * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
