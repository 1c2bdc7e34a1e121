"""Keeps the help desk's processes running (`make run`, `python -m bot serve`).

Each service runs as a child in its own process group. A child that stops on its
own is started again after a back-off that doubles with every quick crash (1 s, 2 s,
4 s … at most `max_backoff`) and starts from 1 s again once the child has run for
`stable_after` seconds. Ctrl-C or SIGTERM stops every child (SIGTERM, then SIGKILL
after a grace period). The state of every child is written to a JSON status file
after each change, which `python -m bot status` reads.

Log lines are for operators and in English.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

STARTING = "starting"
RUNNING = "running"
WAITING = "waiting"  # crashed, restarting after the back-off
STOPPED = "stopped"

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Service:
    name: str
    command: list[str]


@dataclass
class Child:
    service: Service
    process: subprocess.Popen | None = None
    state: str = STARTING
    started_at: float = 0.0
    restarts: int = 0
    last_exit: int | None = None
    next_start: float = 0.0
    backoff: float = 0.0
    history: list[float] = field(default_factory=list)

    def as_json(self, now: float) -> dict:
        return {
            "name": self.service.name,
            "state": self.state,
            "pid": self.process.pid if self.process and self.state == RUNNING else None,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
            "up_seconds": round(now - self.started_at, 1) if self.state == RUNNING else 0,
            "restart_in_seconds": round(max(0.0, self.next_start - now), 1)
            if self.state == WAITING
            else None,
        }


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM when the supervisor dies, so nothing is left running."""
    os.setsid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class Supervisor:
    def __init__(
        self,
        services: Sequence[Service],
        *,
        env: Mapping[str, str],
        cwd: Path,
        status_file: Path,
        max_backoff: float = 30.0,
        stable_after: float = 60.0,
        grace: float = 15.0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.children = [Child(service) for service in services]
        self.env = dict(env)
        self.cwd = cwd
        self.status_file = status_file
        self.max_backoff = max_backoff
        self.stable_after = stable_after
        self.grace = grace
        self.stopping = False
        self._log = log or (lambda line: print(line, file=sys.stderr, flush=True))

    # --- lifecycle ---------------------------------------------------------------------

    def start_all(self) -> None:
        for child in self.children:
            self._start(child)
        self.write_status()

    def run(self, poll: float = 0.5) -> int:
        """Supervise until stop() is called (signal handlers call it)."""
        self.start_all()
        try:
            while not self.stopping:
                self.tick()
                time.sleep(poll)
        finally:
            self.stop_all()
            self.status_file.unlink(missing_ok=True)  # nothing runs any more
        return 0

    def request_stop(self, *_args: object) -> None:
        self.stopping = True

    def tick(self, now: float | None = None) -> None:
        """One round: notice children that stopped, start those whose back-off has passed."""
        now = time.monotonic() if now is None else now
        changed = False
        for child in self.children:
            if child.state == RUNNING and child.process is not None and child.process.poll() is not None:
                self._crashed(child, now)
                changed = True
            elif child.state == WAITING and now >= child.next_start and not self.stopping:
                self._start(child)
                child.restarts += 1
                changed = True
        if changed:
            self.write_status()

    def stop_all(self) -> None:
        running = [child for child in self.children if child.process and child.process.poll() is None]
        for child in running:
            self._signal(child, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._log(f"==> {child.service.name} did not stop within {self.grace:.0f} s; killing it")
                self._signal(child, signal.SIGKILL)
                child.process.wait(timeout=5)
        for child in self.children:
            if child.process is not None:
                self._signal(child, signal.SIGKILL)  # anything left in its process group
            child.state = STOPPED
        self.write_status()

    # --- internals -----------------------------------------------------------------------

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(  # noqa: S603 - the project's own commands
            child.service.command, cwd=self.cwd, env=self.env, preexec_fn=_die_with_parent
        )
        child.state = RUNNING
        child.started_at = time.monotonic()
        self._log(f"==> started {child.service.name} (pid {child.process.pid})")

    def _crashed(self, child: Child, now: float) -> None:
        assert child.process is not None
        child.last_exit = child.process.returncode
        # What the child started may outlive it (nginx's workers keep the port open):
        # end its whole process group before starting it again.
        self._signal(child, signal.SIGKILL)
        ran = now - child.started_at
        if ran >= self.stable_after or child.backoff == 0:
            child.backoff = 1.0
        else:
            child.backoff = min(self.max_backoff, child.backoff * 2)
        child.state = WAITING
        child.next_start = now + child.backoff
        self._log(
            f"==> {child.service.name} stopped (exit code {child.last_exit}) after {ran:.1f} s; "
            f"restarting in {child.backoff:.0f} s"
        )

    def _signal(self, child: Child, signum: int) -> None:
        assert child.process is not None
        try:
            os.killpg(child.process.pid, signum)
        except ProcessLookupError:
            pass

    def write_status(self) -> None:
        now = time.monotonic()
        status = {
            "supervisor_pid": os.getpid(),
            "written_at": time.time(),
            "services": [child.as_json(now) for child in self.children],
        }
        self.status_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.status_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(status, indent=2), encoding="utf-8")
        temporary.replace(self.status_file)


def read_status(status_file: Path) -> dict | None:
    """The status a running supervisor wrote, or None when none is running."""
    try:
        status = json.loads(status_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        os.kill(int(status["supervisor_pid"]), 0)
    except (OSError, KeyError, ValueError):
        return None
    return status
