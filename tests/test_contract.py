"""The gRPC contract: generated stubs are current and the protos pass buf lint (STANDARD)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess

from tests.conftest import ROOT


def _generator():
    spec = importlib.util.spec_from_file_location("generate_protos",
                                                  ROOT / "scripts" / "generate_protos.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_stubs_are_current() -> None:
    stale = _generator().stale_files()
    assert stale == [], f"run `python scripts/generate_protos.py`; stale: {stale}"


def test_protos_pass_buf_lint() -> None:
    buf = shutil.which("buf") or str(ROOT / ".tools" / "node_modules" / ".bin" / "buf")
    assert shutil.which(buf), "buf is not installed: run `bash scripts/test.sh` (it installs it)"
    result = subprocess.run([buf, "lint"], cwd=ROOT / "protos", capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
