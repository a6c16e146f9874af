"""`align data fetch` and `align data import` (and import_framework behind it)."""

from __future__ import annotations

import io
import shutil
import sys
import warnings
import zipfile
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from typer.testing import CliRunner

from align import load_framework
from align.cli import app, main
from align.exceptions import (
    AlignDataWarning,
    DownloadError,
    FrameworkNotFoundError,
    InvalidArgumentError,
    UnknownNameError,
)
from align.frameworks._importing import import_framework

DATA = Path(__file__).resolve().parents[1] / "data"
V29 = DATA / "onet" / "db_29_1"
V28 = DATA / "onet" / "db_28_0"
runner = CliRunner()


def _zip_bytes(folder: Path, top: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f"{top}/{f.name}")
    return buf.getvalue()


ZIP29 = _zip_bytes(V29, "db_29_1_text")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        ok = self.path == "/onet/db_29_1_text.zip"
        body = ZIP29 if ok else b"not found"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(http_server: Callable[[type[BaseHTTPRequestHandler]], str]) -> str:
    return http_server(_Handler)


@pytest.fixture(autouse=True)
def _tmp_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ALIGN_ONET_BASE_URL", raising=False)


# -- align data fetch -----------------------------------------------------------------
def test_cli_fetch(server: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    args = ["data", "fetch", "onet", "--release", "29.1", "--data-dir", str(data)]
    result = runner.invoke(app, [*args, "--base-url", f"{server}/onet"])
    assert result.exit_code == 0, result.output
    assert "O*NET 29.1 is in" in result.output and "sha256" in result.output
    assert load_framework("onet", data_dir=data).version == "29.1"
    again = runner.invoke(app, [*args, "--base-url", f"{server}/onet"])
    assert again.exit_code == 0 and "already in" in again.output


def test_cli_fetch_404_is_one_plain_message(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    argv = ["align", "data", "fetch", "onet", "--release", "29.1", "--data-dir", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", [*argv, "--base-url", f"{server}/nowhere"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "HTTP 404" in err and "Traceback" not in err


def test_cli_fetch_raises_download_error(server: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "data",
            "fetch",
            "onet",
            "--release",
            "29.1",
            "--data-dir",
            str(tmp_path),
            "--base-url",
            f"{server}/nowhere",
        ],
    )
    assert isinstance(result.exception, DownloadError)


def test_cli_fetch_unknown_framework(tmp_path: Path) -> None:
    result = runner.invoke(app, ["data", "fetch", "esco", "--data-dir", str(tmp_path)])
    assert isinstance(result.exception, UnknownNameError)
    assert "align data import" in str(result.exception)


# -- align data import ----------------------------------------------------------------
def test_cli_import_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = runner.invoke(app, ["data", "import", "onet", str(V29), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert (data / "onet" / "db_29_1" / "Occupation Data.txt").is_file()
    fw = load_framework("onet", data_dir=data)
    assert (fw.version, len(fw.occupations)) == ("29.1", 3)


def test_import_zip_stays_a_zip(tmp_path: Path) -> None:
    zpath = tmp_path / "db_29_1_text.zip"
    zpath.write_bytes(ZIP29)
    dest = import_framework("onet", zpath, data_dir=tmp_path / "data")
    assert dest == tmp_path / "data" / "onet" / "db_29_1"
    assert [p.name for p in dest.iterdir()] == ["db_29_1_text.zip"]
    assert load_framework("onet", data_dir=tmp_path / "data").version == "29.1"


def test_import_twice_needs_force(tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_framework("onet", V29, data_dir=data)
    with pytest.raises(InvalidArgumentError, match="--force"):
        import_framework("onet", V29, data_dir=data)
    assert import_framework("onet", V29, data_dir=data, force=True).is_dir()
    assert sorted(p.name for p in (data / "onet").iterdir()) == ["db_29_1"]


def test_import_broken_release_copies_nothing(tmp_path: Path) -> None:
    broken = shutil.copytree(V29, tmp_path / "db_29_1")
    (broken / "Occupation Data.txt").unlink()
    with pytest.raises(FrameworkNotFoundError, match="Occupation Data"):
        import_framework("onet", broken, data_dir=tmp_path / "data")
    assert not (tmp_path / "data" / "onet").exists()


def test_import_unknown_name_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="onet, esco, lightcast, nace, cmc"):
        import_framework("isco", V29, data_dir=tmp_path)
    with pytest.raises(FrameworkNotFoundError, match="does not exist"):
        import_framework("onet", tmp_path / "nothing.zip", data_dir=tmp_path)


def test_import_older_release_warns(tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_framework("onet", V29, data_dir=data)
    with pytest.warns(AlignDataWarning) as record:
        dest = import_framework("onet", V28, data_dir=data)
    assert dest.name == "db_28_0"
    assert any("loads 29.1" in str(w.message) for w in record)


def test_import_lightcast_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = DATA / "lightcast" / "skills.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        dest = import_framework("lightcast", src, data_dir=data)
        by_name = load_framework("lightcast", data_dir=data)
        direct = load_framework(src)
    assert dest == data / "lightcast" / "skills.csv"
    assert len(by_name.competencies) == len(direct.competencies) > 0


def test_import_cmc_model(tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = DATA / "cmc" / "industry_model.csv"
    dest = import_framework("cmc", src, data_dir=data)
    assert dest == data / "cmc" / "industry_model"
    assert (dest / "industry_model.csv").is_file()
    assert load_framework("cmc", data_dir=data).info.source_path.startswith(str(data / "cmc"))


def test_import_esco_release(tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = DATA / "esco" / "esco" / "v1.0.10"
    dest = import_framework("esco", src, data_dir=data)
    assert dest == data / "esco" / "v1.0.10"
    assert (dest / "skills_en.csv").is_file()
    fw = load_framework("esco", data_dir=data)
    assert fw.version == "1.0.10" and len(fw.competencies) == len(load_framework(src).competencies)


def test_frameworks_export_case_validates(tmp_path: Path) -> None:
    import json

    import jsonschema

    out = tmp_path / "nace-case.json"
    result = CliRunner().invoke(
        app, ["frameworks", "export", "nace", str(out), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    package = json.loads(out.read_text("utf-8"))
    schema_file = (
        Path(__file__).resolve().parents[3]
        / "shared/standards/case-v1p1/schema/case_v1p1_cfpackage_schema.json"
    )
    schema = json.loads(schema_file.read_text("utf-8"))
    assert not list(jsonschema.Draft201909Validator(schema).iter_errors(package))
    labels = {item["fullStatement"] for item in package["CFItems"]}
    assert "Communication" in labels
