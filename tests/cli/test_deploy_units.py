"""deploy/systemd: every unit parses, and every flask command a unit runs exists in the app's CLI."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from quizapp import ROOT

UNITS = ROOT / "deploy" / "systemd"
FLASK_COMMAND = re.compile(r"flask --app wsgi ([a-z-]+(?: [a-z-]+)?)")


def unit_commands() -> list[tuple[str, list[str]]]:
    """(unit file, flask sub-command words) for each flask command a unit starts."""
    found = []
    for unit in sorted(UNITS.glob("*.service")):
        for line in unit.read_text(encoding="utf-8").splitlines():
            match = FLASK_COMMAND.search(line) if line.startswith("Exec") else None
            if match:
                found.append((unit.name, match.group(1).split()))
    return found


def test_units_run_backup_finalize_and_the_privacy_purge():
    assert {" ".join(words) for _, words in unit_commands()} == {"backup create", "contest finalize", "privacy purge"}


@pytest.mark.parametrize("unit, words", unit_commands())
def test_each_flask_command_of_a_unit_exists(sqlite_app, unit, words):
    result = sqlite_app.test_cli_runner().invoke(args=[*words, "--help"])
    assert result.exit_code == 0, f"{unit}: flask {' '.join(words)}: {result.output}"
    assert "用法" in result.output


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_units_pass_systemd_analyze(tmp_path):
    files = []
    for unit in UNITS.iterdir():
        # A template (name@.service) is verified as one instance of it.
        target = tmp_path / unit.name.replace("@.", "@demo.")
        shutil.copy(unit, target)
        files.append(str(target))
    done = subprocess.run(["systemd-analyze", "verify", *files], capture_output=True, text=True, timeout=60)
    problems = [line for line in done.stderr.splitlines()
                if line.strip() and "is not executable: No such file or directory" not in line]
    assert problems == [], problems  # only the install paths (/srv/quizapp/.venv/...) are absent here
