"""The safe loader and output helpers on their own."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from align._safeio import (
    MAX_DOCUMENT_BYTES,
    SafeInputError,
    check_finite,
    check_text,
    dumps_json,
    load_data,
    neutralise_csv_frame,
    parse_yaml,
    terminal_text,
)
from align.exceptions import InvalidArgumentError, ProposalError


def _bomb(levels: int) -> str:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + f"\ntitle: *a{levels}\n"


@pytest.mark.parametrize("levels", [6, 9, 20])
def test_alias_bombs_fail_fast(levels: int) -> None:
    start = time.perf_counter()
    with pytest.raises(SafeInputError, match="aliases"):
        parse_yaml(_bomb(levels), "b.yaml")
    assert time.perf_counter() - start < 5


def test_a_few_aliases_are_fine() -> None:
    data = parse_yaml("base: &b {credits: 3}\none: *b\ntwo:\n  <<: *b\n  extra: 1\n", "m.yaml")
    assert data["one"] == {"credits": 3} and data["two"] == {"credits": 3, "extra": 1}


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("deep.yaml", "a: " + "[" * 10_000 + "]" * 10_000, "nested"),
        ("deep.json", "[" * 200_000 + "]" * 200_000, "nested"),
        ("dup.yaml", "a: 1\nb: 2\na: 3\n", "lines 1 and 3"),
        ("dup.json", '{"a": 1,\n "a": 2}', "line 2"),
        ("nan.yaml", "a: .nan\n", "finite"),
        ("inf.json", '{"a": Infinity}', "Infinity"),
        ("big.json", '{"a": 1e400}', "1e400"),
        ("tag.yaml", "a: !!python/object/apply:os.system ['true']\n", "tag"),
        ("date.yaml", "a: 2029-02-30\n", "2029-02-30"),
        ("latin1.yaml", "a: é\n".encode("latin-1"), "line 1, column 4"),
        ("syntax.json", '{"a": 1,,}', "line 1"),
        ("syntax.yaml", "a: [1, 2\n", "not valid YAML"),
    ],
)
def test_bad_documents_name_the_file_and_problem(
    tmp_path: Path, name: str, content: str | bytes, needle: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ProposalError) as err:
        load_data(path, "proposal file", error=ProposalError)
    msg = str(err.value)
    assert msg.startswith(f"proposal file {str(path)!r}"), msg
    assert needle in msg


def test_not_regular_files_are_refused_unopened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.yaml")
    with pytest.raises(SafeInputError, match="named pipe"):
        load_data(tmp_path / "fifo.yaml")
    with pytest.raises(SafeInputError, match="folder"):
        load_data(tmp_path)
    with pytest.raises(SafeInputError, match="device"):
        load_data("/dev/zero")
    with pytest.raises(SafeInputError, match="does not exist"):
        load_data(tmp_path / "missing.yaml")


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * MAX_DOCUMENT_BYTES, encoding="utf-8")
    with pytest.raises(SafeInputError, match="MB"):
        load_data(path)


def test_bom_and_utf16_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes("t: Équipe\n".encode("utf-8-sig"))
    (tmp_path / "b.yaml").write_bytes("t: Équipe\n".encode("utf-16"))
    assert load_data(tmp_path / "a.yaml") == load_data(tmp_path / "b.yaml") == {"t": "Équipe"}


def test_strict_json_out() -> None:
    text = dumps_json({"a": float("nan"), "b": [float("-inf"), 1.5]})
    assert json.loads(text, parse_constant=lambda t: 1 / 0) == {"a": None, "b": [None, 1.5]}


def test_csv_neutralising_keeps_numbers() -> None:
    df = pd.DataFrame(
        {"skill": ["=1+1", "+A1", "-cmd", "@x", "SQL", "\tx"], "n": [-1, 2, 3, 4, 5, 6]}
    )
    out = neutralise_csv_frame(df)
    assert out["skill"].tolist() == ["'=1+1", "'+A1", "'-cmd", "'@x", "SQL", "'\tx"]
    assert out["n"].tolist() == df["n"].tolist()


def test_terminal_text_escapes_markup_and_controls() -> None:
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(terminal_text("[/x] a\x1b[31m b\x00 c\u202e [bold]d[/bold]"))
    shown = console.export_text()
    assert "[/x] a\\x1b[31m b\\x00 c\\u202e [bold]d[/bold]" in shown


def test_check_text_and_numbers() -> None:
    with pytest.raises(InvalidArgumentError, match="UTF-8"):
        check_text("a\udcffb", "text 1")
    with pytest.raises(InvalidArgumentError, match="characters"):
        check_text("a" * 20_000, "text 1")
    for bad in (float("nan"), float("inf")):
        with pytest.raises(InvalidArgumentError, match="finite"):
            check_finite(bad, "--threshold-credits")
    with pytest.raises(InvalidArgumentError, match="at least 0"):
        check_finite(-1, "--threshold-credits", minimum=0)


def test_write_into_a_read_only_folder_is_a_storage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from align._safeio import write_text_atomic
    from align.exceptions import StorageError

    # As root a chmod 0o555 folder is still writable, so the refusal is simulated.
    def refuse(self: Path, *args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", refuse)
    with pytest.raises(StorageError, match=r"cannot write CASE package .*Permission denied"):
        write_text_atomic(tmp_path / "out.json", "{}", "CASE package")
    assert list(tmp_path.iterdir()) == []
