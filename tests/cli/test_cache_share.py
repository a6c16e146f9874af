"""`align cache warm|export|import`: build NACE's index once, share it, use it elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from align import _embed
from align.cli import app
from align.exceptions import CacheError

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Both "machines" share the session's exported ONNX model, so it is not exported again.
    models = Path(os.environ["ALIGN_CACHE_DIR"]) / "models"
    models.mkdir(parents=True, exist_ok=True)
    for machine in ("office", "staff"):
        (tmp_path / machine).mkdir()
        (tmp_path / machine / "models").symlink_to(models, target_is_directory=True)
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "office"))
    _embed._EMBEDDERS.clear()  # the shared embedder reads the cache folder per call anyway
    return tmp_path


def test_warm_export_import_then_match_without_embedding(office: Path) -> None:
    warm = runner.invoke(app, ["cache", "warm", "nace"])
    assert warm.exit_code == 0, warm.output
    assert "nace:" in warm.stdout and "texts ready" in warm.stdout
    again = runner.invoke(app, ["cache", "warm", "nace"])
    assert "(0 embedded now" in again.stdout
    every_kind = runner.invoke(app, ["cache", "warm", "nace", "--kind", "all"])
    assert every_kind.exit_code == 0, every_kind.output
    out = office / "nace.alignvec"
    exported = runner.invoke(app, ["cache", "export", str(out), "--framework", "nace"])
    assert exported.exit_code == 0, exported.output
    assert out.is_file() and "align cache import nace.alignvec" in exported.stdout
    # Another machine: an empty cache, then the file; a match there embeds only the query.
    staff = office / "staff"
    script = textwrap.dedent(
        f"""
        import sys
        from align import _embed
        from align.cli import app
        from typer.testing import CliRunner
        r = CliRunner().invoke(app, ["cache", "import", {str(out)!r}])
        assert r.exit_code == 0, r.output
        print(r.stdout)
        seen = []
        real = _embed.Embedder._compute
        def spy(self, missing, texts, store, show_progress=None):
            seen.extend(texts[k] for k in missing)
            return real(self, missing, texts, store, show_progress)
        _embed.Embedder._compute = spy
        r = CliRunner().invoke(app, ["match", "Work well in a team", "--framework", "nace"])
        assert r.exit_code == 0, r.output
        assert seen == ["Work well in a team"], seen
        print("ok")
        """
    )
    env = {**os.environ, "ALIGN_CACHE_DIR": str(staff)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "imported" in done.stdout and "ok" in done.stdout
    info = json.loads(runner.invoke(app, ["cache", "info", "--json"]).stdout)
    assert info["vectors"] > 0


def test_import_of_another_backend_is_refused_in_one_line(office: Path, monkeypatch) -> None:
    out = office / "nace.alignvec"
    assert runner.invoke(app, ["cache", "export", str(out), "-f", "nace"]).exit_code == 0
    monkeypatch.setenv("ALIGN_BACKEND", "torch")
    _embed._EMBEDDERS.clear()
    try:
        res = runner.invoke(app, ["cache", "import", str(out)])
    finally:
        _embed._EMBEDDERS.clear()
    # main() prints an AlignError as one line and exits 2; the runner shows the error itself.
    assert isinstance(res.exception, CacheError)
    assert "ALIGN_BACKEND=onnx" in str(res.exception)
