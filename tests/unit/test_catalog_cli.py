"""`python -m bot catalog check|load`: Dutch output, exit code 2 with file:line on bad content."""

from __future__ import annotations

import os
import subprocess
import sys

from catalog_support import INSTRUMENTS, ROOT, line_of, write_content
from sqlalchemy import func, select

from bot.catalog.models import Instrument
from bot.cli import main
from bot.db import session_scope


def test_check_accepts_the_real_content(capsys):
    assert main(["catalog", "check"]) == 0
    assert "inhoud in orde" in capsys.readouterr().out


def test_check_refuses_bad_content_with_file_and_line(tmp_path, capsys):
    bad = INSTRUMENTS.replace("kind: own", "kind: eigen")
    folder = write_content(tmp_path / "c", instruments=bad)
    assert main(["catalog", "check", "--dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"instruments.yml:{line_of(bad, 'kind: eigen')}: onbekende waarde 'eigen'" in err
    assert "FOUT: 1 fout in de inhoud; er is niets geladen." in err


def test_load_reports_counts_and_is_idempotent(database_url, capsys):
    assert main(["catalog", "load"]) == 0
    out = capsys.readouterr().out
    assert "catalogus geladen" in out and "nieuw" in out
    assert main(["catalog", "load"]) == 0
    assert "0 nieuw, 0 bijgewerkt" in capsys.readouterr().out
    with session_scope(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Instrument)) >= 25


def test_load_refuses_bad_content_and_loads_nothing(database_url, tmp_path, capsys):
    folder = write_content(
        tmp_path / "c", instruments=INSTRUMENTS.replace("reviewed_on: 2026-11-20", "reviewed_on: 31-12")
    )
    assert main(["catalog", "load", "--dir", str(folder)]) == 2
    assert "reviewed_on" in capsys.readouterr().err
    with session_scope(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Instrument)) == 0


def test_load_without_schema_says_what_to_do(tmp_path, capsys, configure):
    configure(DATABASE_URL=f"sqlite:///{tmp_path / 'bare.db'}")
    assert main(["catalog", "load"]) == 2
    assert "db upgrade" in capsys.readouterr().err


def test_the_command_runs_as_a_module(tmp_path):
    folder = write_content(
        tmp_path / "c", instruments=INSTRUMENTS.replace("topics:\n      - growth", "topics:\n      - groei")
    )
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "catalog", "check", "--dir", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "instruments.yml:" in result.stderr and "groei" in result.stderr
