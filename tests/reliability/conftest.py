"""Helpers for the bad-input corpus: run the CLI in-process and judge what it did.

The CLI runs in this process (``align.cli.main`` with a patched ``sys.argv``) so the
corpus costs milliseconds per case; the few cases that need a real process (bytes
in argv, a FIFO that could hang, ``kill -9``) use :func:`run_process`.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: Longest a corpus case may run before it counts as a hang.
CASE_TIMEOUT_S = 60


@dataclass
class Result:
    """What one CLI run did."""

    code: int
    out: str
    err: str

    @property
    def message(self) -> str:
        """stderr with rich's line wrapping undone."""
        return " ".join(self.err.split())


class _Hang(Exception):
    pass


@contextlib.contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise _Hang(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def run_cli(args: list[str], stdin: bytes = b"") -> Result:
    """Run ``align ARGS`` in this process; an escaping exception fails the test (a traceback)."""
    from align import cli

    out, err = io.StringIO(), io.StringIO()
    fake_in = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8", errors="surrogateescape")
    old_argv, old_in, old_show = sys.argv, sys.stdin, warnings.showwarning
    code = 0
    sys.argv = ["align", *args]
    sys.stdin = fake_in
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            _alarm(CASE_TIMEOUT_S),
        ):
            # Data warnings are part of what a user sees, not test failures here.
            warnings.simplefilter("default")
            try:
                cli.main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv, sys.stdin, warnings.showwarning = old_argv, old_in, old_show
    return Result(code, out.getvalue(), err.getvalue())


def run_process(
    args: list[str | bytes], *, stdin: bytes = b"", cwd: Path | None = None, timeout: float = 60
) -> Result:
    """Run ``python -m align.cli ARGS`` in a fresh process (argv may hold raw bytes)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable.encode(), b"-c", b"from align.cli import main; main()", *map(_b, args)],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        check=False,
    )
    return Result(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def _b(arg: str | bytes) -> bytes:
    return arg if isinstance(arg, bytes) else os.fsencode(arg)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """``cli(*args, stdin=b"")`` runs align in ``tmp_path`` (the corpus files live there)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALIGN_POSTINGS_DB", str(tmp_path / "default-postings.duckdb"))
    monkeypatch.setenv("COLUMNS", "200")

    def call(*args: str, stdin: bytes = b"") -> Result:
        return run_cli(list(args), stdin=stdin)

    return call


@pytest.fixture
def proc(tmp_path: Path) -> Callable[..., Result]:
    """``proc(*args, stdin=b"", timeout=60)`` runs align in a fresh process in ``tmp_path``."""

    def call(*args: str | bytes, stdin: bytes = b"", timeout: float = 60) -> Result:
        return run_process(list(args), stdin=stdin, cwd=tmp_path, timeout=timeout)

    return call
