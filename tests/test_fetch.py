"""`fetch_onet` against a local HTTP server on 127.0.0.1 serving tiny fixture zips."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from align._fetch import RECORD_NAME, fetch_onet, onet_manifest
from align.exceptions import DownloadError, InvalidArgumentError
from align.frameworks.onet import load_onet

V29 = Path(__file__).resolve().parent / "data" / "onet" / "db_29_1"


def _zip(folder: Path, top: str = "db_29_1_text", stored: bool = False) -> bytes:
    buf = io.BytesIO()
    mode = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buf, "w", mode) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f"{top}/{f.name}" if top else f.name)
    return buf.getvalue()


GOOD = _zip(V29)


def _corrupt() -> bytes:
    raw = _zip(V29, stored=True)
    # same length, different bytes: the member's CRC no longer matches
    return raw.replace(b"Data Scientists\tAnswer", b"Data Scientistz\tAnswer", 1)


def _wrong_layout() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("db_29_1_text/Skills.txt", (V29 / "Skills.txt").read_text("utf-8"))
    return buf.getvalue()


def _zip_slip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in sorted(V29.iterdir()):
            zf.write(f, f"db_29_1_text/{f.name}")
        zf.writestr("../escaped.txt", "outside")
    return buf.getvalue()


ROUTES: dict[str, tuple[int, bytes]] = {
    "/slip/db_29_1_text.zip": (200, _zip_slip()),
    "/ok/db_29_1_text.zip": (200, GOOD),
    "/corrupt/db_29_1_text.zip": (200, _corrupt()),
    "/layout/db_29_1_text.zip": (200, _wrong_layout()),
    "/html/db_29_1_text.zip": (200, b"<html><body>Please log in</body></html>"),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/truncated/"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(GOOD[: len(GOOD) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        status, body = ROUTES.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def server(http_server: Callable[[type[BaseHTTPRequestHandler]], str]) -> str:
    return http_server(_Handler)


@pytest.fixture(autouse=True)
def _tmp_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ALIGN_ONET_BASE_URL", raising=False)


def _fetch(server: str, route: str, data: Path, **kw: object) -> Path:
    return fetch_onet("29.1", data_dir=data, base_url=f"{server}/{route}", progress=False, **kw)


def _leftovers(data: Path) -> list[str]:
    onet = data / "onet"
    return sorted(p.name for p in onet.iterdir()) if onet.is_dir() else []


def test_fetch_success(server: str, tmp_path: Path) -> None:
    path = _fetch(server, "ok", tmp_path)
    assert path == tmp_path / "onet" / "db_29_1"
    assert (path / "Occupation Data.txt").is_file()  # top-level folder of the zip dropped
    record = json.loads((path / RECORD_NAME).read_text("utf-8"))
    assert record["sha256"] == hashlib.sha256(GOOD).hexdigest()
    assert record["bytes"] == len(GOOD)
    assert record["url"] == f"{server}/ok/db_29_1_text.zip"
    assert _leftovers(tmp_path) == ["db_29_1"]  # no temporary files left behind
    fw = load_onet(data_dir=tmp_path)
    assert (fw.version, len(fw.occupations)) == ("29.1", 3)
    assert fw.info.retrieved_at == record["retrieved_at"]


def test_fetch_keeps_existing_unless_forced(server: str, tmp_path: Path) -> None:
    path = _fetch(server, "ok", tmp_path)
    (path / "marker").write_text("x")
    assert _fetch(server, "missing", tmp_path) == path  # nothing downloaded
    assert (path / "marker").exists()
    _fetch(server, "ok", tmp_path, force=True)
    assert not (path / "marker").exists()
    assert _leftovers(tmp_path) == ["db_29_1"]


def test_base_url_from_environment(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIGN_ONET_BASE_URL", f"{server}/ok")
    path = fetch_onet("29.1", data_dir=tmp_path, progress=False)
    assert (path / "Occupation Data.txt").is_file()


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("missing", "HTTP 404"),
        ("truncated", "truncated|connection broke"),
        ("corrupt", "CRC"),
        ("layout", "not an O\\*NET release.*Occupation Data"),
        ("html", "did not deliver a zip"),
        ("slip", "outside the release folder"),
    ],
)
def test_fetch_failures(server: str, tmp_path: Path, route: str, expected: str) -> None:
    with pytest.raises(DownloadError, match=expected) as info:
        _fetch(server, route, tmp_path)
    assert "db_29_1_text.zip" in str(info.value)
    # nothing half-written where the loader would look
    assert _leftovers(tmp_path) == []


def test_connection_refused(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="unreachable"):
        fetch_onet("29.1", data_dir=tmp_path, base_url="http://127.0.0.1:9", progress=False)


def _manifest(tmp_path: Path, sha: str | None) -> Path:
    file = tmp_path / "manifest.json"
    file.write_text(json.dumps({"releases": {"29.1": {"url": "unused", "sha256": sha}}}))
    return file


def test_checksum_from_manifest(server: str, tmp_path: Path) -> None:
    good = _manifest(tmp_path, hashlib.sha256(GOOD).hexdigest())
    path = _fetch(server, "ok", tmp_path / "a", manifest=good)
    assert json.loads((path / RECORD_NAME).read_text())["sha256_checked_against_manifest"]
    bad = _manifest(tmp_path, "0" * 64)
    with pytest.raises(DownloadError, match="manifest records"):
        _fetch(server, "ok", tmp_path / "b", manifest=bad)
    assert _leftovers(tmp_path / "b") == []


def test_manifest_urls() -> None:
    manifest = onet_manifest()
    assert manifest["default_release"] in manifest["releases"]
    for release, entry in manifest["releases"].items():
        major, minor = release.split(".")
        assert entry["url"] == (
            f"https://www.onetcenter.org/dl_files/database/db_{major}_{minor}_text.zip"
        )
        assert entry["sha256"] is None or len(entry["sha256"]) == 64


def test_bad_release_number(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"29\.3"):
        fetch_onet("latest", data_dir=tmp_path, progress=False)
