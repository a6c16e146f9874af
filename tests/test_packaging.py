"""A wheel install works on its own: package data ships, the CLI entry point runs.

The wheel is built with hatchling (no network, no build isolation) and installed
with ``--no-deps`` into a fresh virtual environment that borrows the test
environment's third-party packages through a ``.pth`` line, so nothing is
downloaded and align itself comes only from the wheel.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling")
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from hatchling.build import build_wheel; print(build_wheel(sys.argv[1]))",
            str(dist),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("align-*.whl"))
    venv = tmp / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True
    )
    py = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The test environment's packages (pandas, typer, ...), after the venv's own.
    shared = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    Path(purelib, "_shared_test_env.pth").write_text("\n".join(dict.fromkeys(shared)) + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(py),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        env=_clean_env(),
    )
    return venv


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env["PIP_NO_INDEX"] = "1"
    return env


def _run(venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=venv,  # not the source tree
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=300,
    )


def test_manifest_ships_as_package_data(installed: Path) -> None:
    res = _run(
        installed,
        installed / "bin" / "python",
        "-c",
        "import align, align._fetch as f; "
        "assert 'site-packages' in align.__file__, align.__file__; "
        "assert f._MANIFEST.is_file(), f._MANIFEST; "
        "m = f.onet_manifest(); assert m['releases'], m; print(sorted(m['releases'])[-1])",
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip()


def test_cli_entry_point_runs_from_the_wheel(installed: Path) -> None:
    res = _run(installed, installed / "bin" / "align", "data", "fetch", "onet", "--help")
    assert res.returncode == 0, res.stderr
    assert "--release" in res.stdout


def test_default_policy_ships_as_package_data(installed: Path) -> None:
    res = _run(
        installed,
        installed / "bin" / "python",
        "-c",
        "from align.proposals import default_policy_yaml as d; assert 'credits' in d()",
    )
    assert res.returncode == 0, res.stderr


def test_the_adapted_model_ships_and_runs_offline_from_the_wheel(
    installed: Path, tmp_path: Path
) -> None:
    # A fresh machine: an empty cache folder, downloads off. The head is read from the
    # wheel; the base model is exported to ONNX on first use, as without the head.
    code = (
        "import align, align._adapted as a; "
        "assert 'site-packages' in str(a.adapter_path()), a.adapter_path(); "
        "info = a.adapter_info(); assert info['bytes'] <= 10 * 1024 * 1024; "
        "emb = a.adapted_for(align.get_embedder()); "
        "v = emb.encode(['Weld metal components.']); "
        "assert v.shape == (1, 384), v.shape; print(emb.model_id)"
    )
    env = _clean_env() | {
        "ALIGN_CACHE_DIR": str(tmp_path / "cache"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    env.pop("ALIGN_MODEL", None)
    res = subprocess.run(
        [str(installed / "bin" / "python"), "-c", code],
        cwd=installed,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.strip().startswith("align-minilm@")
