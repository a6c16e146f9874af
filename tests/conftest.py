"""Shared fixtures: real data from ALIGN_DATA_DIR, the real model, loaded once per session."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = Path(__file__).parent / "data"


def pytest_configure(config: pytest.Config) -> None:
    # Parsed frameworks and embeddings are cached between runs in the repo's
    # .cache/ (ignored by git) unless the caller chose a cache folder.
    os.environ.setdefault("ALIGN_CACHE_DIR", str(REPO / ".cache" / "test"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # Run as CI and `make test` do: library defaults see the real data folder too.
    real = _real_data_dir()
    if real is not None:
        os.environ.setdefault("ALIGN_DATA_DIR", str(real))
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _real_data_dir() -> Path | None:
    env = os.environ.get("ALIGN_DATA_DIR")
    path = Path(env) if env else REPO.parent / "shared" / "data"
    return path if (path / "onet").is_dir() else None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real data folder (``../shared/data``). In CI its absence fails the run."""
    path = _real_data_dir()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the real-data tests: set ALIGN_DATA_DIR to ../shared/data")
        pytest.skip("real data not found: set ALIGN_DATA_DIR to a copy of ../shared/data")
    return path


@pytest.fixture(scope="session")
def onet(data_dir: Path):
    """O*NET 29.3 parsed from the real release (cached on disk after the first run)."""
    import warnings

    from align import load_framework
    from align.exceptions import AlignDataWarning

    # The shared copy is a partial release; tests/frameworks/test_onet.py asserts the warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        return load_framework("onet", data_dir=data_dir)


@pytest.fixture(scope="session")
def esco(data_dir: Path):
    """ESCO 1.1.1 parsed from the real release."""
    from align import load_framework

    return load_framework("esco", data_dir=data_dir)


@pytest.fixture(scope="session")
def embedder():
    """The packaged all-MiniLM-L6-v2, loaded once for the whole session."""
    from align._embed import Embedder

    return Embedder()


@pytest.fixture(scope="module")
def http_server() -> Iterator[Callable[[type[BaseHTTPRequestHandler]], str]]:
    """Start local HTTP servers on 127.0.0.1 for download tests; returns their base URLs.

    Nothing in the test suite touches the network: downloads are served from here.
    """
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(handler: type[BaseHTTPRequestHandler]) -> str:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        servers.append((httpd, thread))
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield start
    for httpd, thread in servers:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """A PostgreSQL server for this test run (Debian's package; in CI its absence fails)."""
    from tests._postgres import INSTALL_HINT, PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    server = PostgresServer(bindir).start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty store database on each backend: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "align.sqlite")
    return str(request.getfixturevalue("postgres_server").new_database())
