"""Property-based tests: random Unicode, control characters, markup and very long strings.

Whatever goes in, the answer is a result or an ``AlignError``; never another
exception (which the CLI would print as a traceback).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from align.exceptions import AlignError

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Text that tends to break things: markup, controls, quotes, separators, surrogates excluded
# (a str cannot be written to a file with them; argv surrogates are tested in the corpus).
_NASTY = st.sampled_from(
    [
        "[/x]",
        "[bold]",
        "\x1b[31m",
        "\x00",
        "\u202e",
        '"',
        "'",
        ",",
        ";",
        "|",
        "\n",
        "\r\n",
        "=HYPERLINK(1)",
        "@",
        "- ",
        ": ",
        "#",
        "&a",
        "*a",
        "!!python/object",
        "{",
        "[",
        "NaN",
        ".inf",
        "é",
        "\ufeff",
        "𝔘",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=30), _NASTY), max_size=12).map("".join)
LONG = st.integers(0, 30_000).map(lambda n: "analyze data " * (n // 13))


def _quiet() -> warnings.catch_warnings[Any]:
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore")
    return ctx


@FUZZ
@given(title=TEXT, outcome=st.one_of(TEXT, LONG), credits=st.one_of(TEXT, st.floats()))
def test_load_proposal_structured_fields(title: str, outcome: str, credits: Any) -> None:
    from align import load_proposal

    data = {
        "title": title,
        "issuing_unit": "Unit",
        "credits": credits,
        "outcomes": [{"id": "LO1", "text": outcome}],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (
            ("p.yaml", yaml.safe_dump(data, allow_unicode=True)),
            ("p.json", json.dumps(data, ensure_ascii=False)),
        ):
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            ctx = _quiet()
            try:
                load_proposal(path)
            except AlignError:
                pass
            finally:
                ctx.__exit__(None, None, None)


@FUZZ
@given(raw=st.one_of(st.binary(max_size=400), TEXT.map(lambda t: t.encode("utf-8"))))
def test_load_proposal_raw_bytes(raw: bytes) -> None:
    from align import load_proposal

    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".yaml", ".json"):
            path = Path(tmp) / f"p{suffix}"
            path.write_bytes(raw)
            ctx = _quiet()
            try:
                load_proposal(path)
            except AlignError:
                pass
            finally:
                ctx.__exit__(None, None, None)


_COLUMNS = ["ID", "POSTED", "TITLE_RAW", "BODY", "ONET", "STATE", "SKILLS_NAME"]


@FUZZ
@given(rows=st.lists(st.lists(TEXT, min_size=0, max_size=8), min_size=1, max_size=6))
def test_ingest_random_csv_rows(rows: list[list[str]]) -> None:
    from align.postings import PostingsStore

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(_COLUMNS)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.csv"
        path.write_text(buf.getvalue(), encoding="utf-8")
        ctx = _quiet()
        try:
            with PostingsStore(":memory:") as store:
                report = store.ingest(path, progress=False)
                r = report.iloc[0]
                # Every row read is loaded, a duplicate, or rejected: nothing vanishes.
                assert r["rows_loaded"] + r["rows_duplicate"] + r["rows_rejected"] == r["rows_read"]
                assert store.counts()["postings"] == r["rows_loaded"]
        except AlignError:
            pass
        finally:
            ctx.__exit__(None, None, None)


_JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)


@FUZZ
@given(
    records=st.lists(
        st.dictionaries(st.sampled_from([*_COLUMNS, "other"]), _JSON_VALUES, max_size=7),
        min_size=1,
        max_size=6,
    ),
    junk=st.lists(st.binary(max_size=30), max_size=2),
)
def test_ingest_random_jsonl_rows(records: list[dict[str, Any]], junk: list[bytes]) -> None:
    from align.postings import PostingsStore

    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8") for r in records] + junk
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        ctx = _quiet()
        try:
            with PostingsStore(":memory:") as store:
                store.ingest(path, progress=False)
                stored = store.query("SELECT title_raw, body FROM postings")
                for value in stored.to_numpy().ravel():
                    # Objects are stored as JSON text, never as Python reprs.
                    assert not (isinstance(value, str) and value.startswith("{'")), value
        except AlignError:
            pass
        finally:
            ctx.__exit__(None, None, None)


@settings(max_examples=25, deadline=None)
@given(texts=st.lists(st.one_of(TEXT, LONG), min_size=1, max_size=4))
def test_match_random_texts(texts: list[str]) -> None:
    import align

    ctx = _quiet()
    try:
        out = align.match(texts, align.load_framework("nace"), method="lexical", top_k=2)
        assert set(out["query_index"]) <= set(range(len(texts)))
    except AlignError:
        pass
    finally:
        ctx.__exit__(None, None, None)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(TEXT, LONG), fmt=st.sampled_from(["table", "csv", "jsonl"]))
@example(text="\x85", fmt="jsonl")  # a line break to str.splitlines: once split a JSON line
def test_match_cli_never_prints_a_traceback(cli: Callable[..., Any], text: str, fmt: str) -> None:
    res = cli("match", text, "--framework", "nace", "--method", "lexical", "--format", fmt)
    assert res.code in (0, 2), res.err
    assert "Traceback" not in res.err
    if res.code == 0 and fmt == "jsonl":
        for line in res.out.splitlines():
            json.loads(line, parse_constant=_refuse)
    if res.code == 0 and fmt == "table":
        # Not a terminal, so rich adds no colour codes: any ESC would come from the text.
        assert "\x1b" not in res.out


def _refuse(token: str) -> Any:
    raise ValueError(f"non-standard JSON constant {token}")
