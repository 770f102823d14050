"""`make run` serves like production: DEBUG off and compressed static files; `make dev` is separate."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _dry_run(target: str) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv = Path(sys.executable).parent.parent
    proc = subprocess.run(
        ["make", "-n", target, f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, timeout=60, env=os.environ
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_make_run_serves_with_debug_off_and_compressed_static():
    lines = _dry_run("run")
    serve = [line for line in lines if line.rstrip().endswith("khuyencong serve")]
    assert serve and "DEBUG=false" in serve[0] and "KC_STATIC_COMPRESSED=true" in serve[0]
    assert any("collectstatic" in line and "KC_STATIC_COMPRESSED=true" in line for line in lines)


def test_make_dev_turns_debug_on():
    lines = _dry_run("dev")
    assert any("DEBUG=true" in line and "runserver" in line for line in lines)
