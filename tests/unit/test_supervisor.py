"""The launcher's supervisor with real child processes: restart with back-off, status, stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bot.supervisor import RUNNING, STOPPED, WAITING, Child, Service, Supervisor, read_status

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(3)"]


def make(tmp_path: Path, *services: Service, **options) -> tuple[Supervisor, list[str]]:
    lines: list[str] = []
    supervisor = Supervisor(
        services,
        env=dict(os.environ),
        cwd=tmp_path,
        status_file=tmp_path / "services.json",
        log=lines.append,
        **options,
    )
    return supervisor, lines


def proc(child: Child) -> subprocess.Popen:
    assert child.process is not None
    return child.process


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_a_killed_child_is_restarted_and_the_others_keep_running(tmp_path):
    supervisor, lines = make(tmp_path, Service("acties", SLEEPER), Service("rasa", SLEEPER))
    supervisor.start_all()
    try:
        actions, rasa = supervisor.children
        first_pid = proc(actions).pid
        rasa_pid = proc(rasa).pid
        os.kill(first_pid, signal.SIGKILL)
        wait_for(lambda: proc(actions).poll() is not None)
        supervisor.tick()
        assert actions.state == WAITING and actions.last_exit == -signal.SIGKILL
        status = json.loads((tmp_path / "services.json").read_text())
        assert status["services"][0]["state"] == WAITING
        # the back-off (1 s for a first crash) has to pass before the restart
        supervisor.tick(now=actions.next_start - 0.5)
        assert actions.state == WAITING
        supervisor.tick(now=actions.next_start)
        assert actions.state == RUNNING and proc(actions).pid != first_pid and actions.restarts == 1
        assert rasa.state == RUNNING and proc(rasa).pid == rasa_pid and proc(rasa).poll() is None
        assert any("acties stopped (exit code -9)" in line for line in lines)
    finally:
        supervisor.stop_all()


def test_quick_crashes_back_off_doubling_up_to_the_cap(tmp_path):
    supervisor, _ = make(tmp_path, Service("crm", CRASHER), max_backoff=4.0, stable_after=60.0)
    supervisor.start_all()
    child = supervisor.children[0]
    backoffs = []
    try:
        for _ in range(5):
            wait_for(lambda: proc(child).poll() is not None)
            supervisor.tick()
            backoffs.append(child.backoff)
            supervisor.tick(now=child.next_start)
        assert backoffs == [1.0, 2.0, 4.0, 4.0, 4.0]
        assert child.restarts == 5 and child.last_exit == 3
    finally:
        supervisor.stop_all()


def test_a_child_that_ran_long_enough_starts_again_from_the_shortest_back_off(tmp_path):
    supervisor, _ = make(tmp_path, Service("web", SLEEPER), stable_after=0.2)
    supervisor.start_all()
    child = supervisor.children[0]
    child.backoff = 16.0  # as after a series of quick crashes
    try:
        time.sleep(0.3)
        proc(child).kill()
        wait_for(lambda: proc(child).poll() is not None)
        supervisor.tick()
        assert child.backoff == 1.0
    finally:
        supervisor.stop_all()


def test_stop_all_ends_every_child_and_its_own_children(tmp_path):
    grandchild_file = tmp_path / "grandchild.pid"
    spawner = [
        sys.executable,
        "-c",
        "import subprocess, sys, time;"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        f"open({str(grandchild_file)!r}, 'w').write(str(p.pid));"
        "time.sleep(60)",
    ]
    supervisor, _ = make(tmp_path, Service("rasa", spawner), Service("web", SLEEPER), grace=5.0)
    supervisor.start_all()
    wait_for(grandchild_file.exists)
    wait_for(lambda: grandchild_file.read_text().strip() != "")
    grandchild = int(grandchild_file.read_text())
    started = time.monotonic()
    supervisor.stop_all()
    assert time.monotonic() - started < 5
    assert all(proc(child).poll() is not None for child in supervisor.children)
    assert all(child.state == STOPPED for child in supervisor.children)
    wait_for(lambda: not _alive(grandchild), seconds=5)


def test_status_is_only_read_while_its_supervisor_lives(tmp_path):
    supervisor, _ = make(tmp_path, Service("web", SLEEPER))
    supervisor.start_all()
    try:
        status = read_status(tmp_path / "services.json")
        assert status is not None
        assert status["services"][0]["name"] == "web" and status["services"][0]["state"] == RUNNING
    finally:
        supervisor.stop_all()
    stale = json.loads((tmp_path / "services.json").read_text())
    stale["supervisor_pid"] = _dead_pid()
    (tmp_path / "services.json").write_text(json.dumps(stale))
    assert read_status(tmp_path / "services.json") is None
    assert read_status(tmp_path / "missing.json") is None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); it has stopped running
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_what_a_crashed_child_started_is_ended_before_the_restart(tmp_path):
    grandchild_file = tmp_path / "grandchild.pid"
    spawner = [
        sys.executable,
        "-c",
        "import subprocess, sys, time;"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        f"open({str(grandchild_file)!r}, 'w').write(str(p.pid));"
        "time.sleep(60)",
    ]
    supervisor, _ = make(tmp_path, Service("nginx", spawner))
    supervisor.start_all()
    child = supervisor.children[0]
    try:
        wait_for(lambda: grandchild_file.exists() and grandchild_file.read_text().strip() != "")
        grandchild = int(grandchild_file.read_text())
        os.kill(proc(child).pid, signal.SIGKILL)  # the leader dies, its worker lives on
        wait_for(lambda: proc(child).poll() is not None)
        assert _alive(grandchild)
        supervisor.tick()
        wait_for(lambda: not _alive(grandchild), seconds=5)
    finally:
        supervisor.stop_all()


def test_run_stops_everything_and_removes_its_status_file_when_asked(tmp_path):
    supervisor, _ = make(tmp_path, Service("web", SLEEPER))
    stopper = threading.Timer(0.5, supervisor.request_stop)
    stopper.start()
    assert supervisor.run(poll=0.05) == 0
    assert proc(supervisor.children[0]).poll() is not None
    assert not (tmp_path / "services.json").exists()
