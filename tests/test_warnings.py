"""Warnings are returned per call: one thread (one dashboard session) never sees another's."""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

import pytest

from align import AlignDataWarning, collect_warnings
from align._warnings import warn

REPO = Path(__file__).resolve().parents[1]


def test_each_thread_collects_its_own_warnings() -> None:
    barrier = threading.Barrier(4)
    seen: dict[int, list[str]] = {}

    def session(n: int) -> None:
        with collect_warnings() as caught:
            barrier.wait()  # all four inside their collectors at once
            for i in range(50):
                warn(f"session {n} warning {i}")
            barrier.wait()
        seen[n] = [str(w) for w in caught]

    threads = [threading.Thread(target=session, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n in range(4):
        assert seen[n] == [f"session {n} warning {i}" for i in range(50)]


def test_outside_a_collector_it_is_a_python_warning_at_the_callers_line() -> None:
    with pytest.warns(AlignDataWarning, match="plain") as record:
        warn("plain")
    assert record[0].filename == __file__


def test_loaders_relay_their_warnings_into_the_callers_collector(tmp_path: Path) -> None:
    from align.frameworks.tabular import load_tabular

    sheet = tmp_path / "skills.csv"
    sheet.write_text("code,label\nA1,Write SQL\nA1,Write SQL again\n")
    with collect_warnings() as caught, warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may escape as a Python warning
        load_tabular(sheet, {"id": "code", "label": "label"}, key="mine", name="Mine")
    assert any("repeat an id already used" in str(w) for w in caught)


def test_no_server_code_catches_warnings_process_wide() -> None:
    for path in [REPO / "app.py", REPO / "serve.py", *sorted((REPO / "app_pages").glob("*.py"))]:
        assert "catch_warnings" not in path.read_text(), path
    tables = REPO / "src" / "align" / "frameworks" / "_tables.py"
    assert "catch_warnings" not in tables.read_text()
