"""Cases that need a real process: raw bytes in argv and stdin, a FIFO that could hang."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _clean_error(res: Any, *needles: str) -> None:
    assert "Traceback" not in res.err, res.err
    assert res.code == 2, (res.code, res.err)
    message = " ".join(res.err[res.err.index("error:") :].split())
    for n in needles:
        assert n.lower() in message.lower(), (n, message)


def test_invalid_utf8_in_argv(proc: Callable[..., Any]) -> None:
    res = proc("match", b"Analyze \xff\xfe data", "--framework", "nace", "--method", "lexical")
    _clean_error(res, "UTF-8")


def test_invalid_utf8_on_stdin(proc: Callable[..., Any]) -> None:
    res = proc("match", "--input", "-", "--framework", "nace", stdin=b"Analyze \xff\xfe data\n")
    _clean_error(res, "standard input", "UTF-8", "line 1")


def test_fifo_framework_does_not_hang(proc: Callable[..., Any], tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.json")
    res = proc("frameworks", "show", "f.json", timeout=60)
    _clean_error(res, "f.json", "pipe")


def test_error_is_one_line_however_long(proc: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    res = proc("check", "p.yaml", "--no-align")
    _clean_error(res, "p.yaml")
    assert len(res.err.strip().splitlines()) == 1, res.err
