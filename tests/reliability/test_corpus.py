"""The bad-input corpus: every class of issue 15, through every command that reads it.

Each case writes its small input files into a fresh folder at test time, runs
``align ...`` in-process and checks what a user would see:

- bad input: exit code 2, stderr starting with ``error:`` and naming the file or
  argument, no traceback, nothing written;
- hostile but valid input (markup, control characters, formulas): the command
  works, output is escaped or neutralised, JSON output parses strictly;
- nothing a file says is ever executed (YAML tags, Python literals).

Classes (issue 15): 1 markup, 2 SQL quoting, 3 deep nesting, 4 alias bombs,
5 invalid UTF-8, 6 FIFOs, 7 formula injection, 8 invalid JSON, 9 other
tracebacks, 10 data loss, 11 silent wrong results, 12 limits and messages.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

Result = Any  # conftest.Result: code, out, err, message


def assert_clean_error(res: Result, *needles: str) -> None:
    """Exit 2, an ``error:`` line naming what was wrong, and no traceback."""
    assert "Traceback" not in res.err + res.out, res.err
    assert res.code == 2, (res.code, res.err, res.out)
    # Progress bars of files loaded before the failing one may come first.
    assert "\nerror:" in "\n" + res.err.replace("\r", "\n"), res.err
    message = " ".join(res.err[res.err.index("error:") :].split())
    for needle in needles:
        assert needle.lower() in message.lower(), (needle, message)


def strict_json(text: str) -> object:
    """Parse JSON as strict parsers do: NaN and Infinity are errors."""

    def refuse(token: str) -> object:
        raise ValueError(f"non-standard JSON constant {token}")

    return json.loads(text, parse_constant=refuse)


# -- building blocks ---------------------------------------------------------------


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def proposal(
    title: str = "Data Skills Badge",
    outcome: str = "Analyze data sets and present the findings",
    extra: str = "",
    credits: str = "0",
    soc: str = "15-2051.00",
) -> str:
    return (
        f"title: {_q(title)}\nissuing_unit: Statistics\ntype: enhancement\n"
        f"credits: {credits}\noutcomes:\n  - id: LO1\n    text: {_q(outcome)}\n"
        f"    assessment: rubric\n    evidence: report\n"
        f"target_occupations: [{soc}]\nexpiry: 2030-01-01\n{extra}"
    )


def stack(members: str = "[a.yaml]", threshold: str = "3") -> str:
    return f"title: Data Stack\ntarget: cmc\nthreshold_credits: {threshold}\nmembers: {members}\n"


def bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\ntitle: *a{levels}\nissuing_unit: X\n"


def deep_yaml(n: int = 5000) -> str:
    return "title: Deep proposal\nissuing_unit: X\noutcomes: " + "[" * n + "]" * n + "\n"


def deep_json(n: int = 100_000) -> str:
    return '{"title": "Deep proposal", "issuing_unit": "X", "outcomes": ' + "[" * n + "]" * n + "}"


POSTINGS_HEADER = "ID,POSTED,TITLE_RAW,ONET,STATE,SKILLS_NAME\n"


def postings(*rows: str) -> str:
    return POSTINGS_HEADER + "".join(r + "\n" for r in rows)


GOOD_POSTINGS = postings(
    'p1,2024-01-05,Data Analyst,15-2051.00,TX,"[""SQL"", ""Python""]"',
    'p2,2024-02-05,Data Scientist,15-2051.00,TX,"[""SQL""]"',
)
EVIL_SKILL = '=HYPERLINK("http://evil","x")'


def _csv_rows(*rows: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return POSTINGS_HEADER + buf.getvalue()


EVIL_POSTINGS = _csv_rows(
    ["e1", "2024-01-05", "Analyst", "15-2051.00", "TX", json.dumps([EVIL_SKILL])],
    [
        "e2",
        "2024-01-06",
        "Analyst",
        "15-2051.00",
        "TX",
        json.dumps(["+SUM(A1:A9)", "@cmd", "-2+3"]),
    ],
)


def case_package(items: list[dict], assocs: list[dict] | None = None) -> str:
    return json.dumps(
        {
            "CFDocument": {"identifier": "doc", "uri": "urn:doc", "title": "T", "creator": "Us"},
            "CFItems": items,
            "CFAssociations": assocs or [],
        }
    )


def child(a: str, b: str) -> dict:
    return {
        "associationType": "isChildOf",
        "originNodeURI": {"identifier": a},
        "destinationNodeURI": {"identifier": b},
    }


FIFO = object()  # marker: make a named pipe at this name


@dataclass
class Case:
    """One corpus entry: files to write, the command, and what must happen."""

    id: str
    klass: int
    args: list[str]
    files: dict[str, str | bytes | object] = field(default_factory=dict)
    error: tuple[str, ...] | None = ()  # needles of the error message; None = must succeed
    check: Callable[[Result, Path], None] | None = None
    stdin: bytes = b""
    may_write: tuple[str, ...] = ()  # files a failed run may leave (owned by other issues)


def _ok(*codes: int) -> Callable[[Result, Path], None]:
    def check(res: Result, _: Path) -> None:
        assert "Traceback" not in res.err, res.err
        assert res.code in codes, (res.code, res.err)

    return check


def _shows(*needles: str, codes: tuple[int, ...] = (0, 1)) -> Callable[[Result, Path], None]:
    def check(res: Result, tmp: Path) -> None:
        _ok(*codes)(res, tmp)
        for n in needles:
            assert n in res.out + res.err, (n, res.out[-2000:], res.err)

    return check


def _no_raw_controls(res: Result, tmp: Path) -> None:
    _ok(0, 1)(res, tmp)
    for ch in ("\x1b", "\x00", "\x07", "\u202e"):
        assert ch not in res.out + res.err


def _csv_neutral(res: Result, tmp: Path) -> None:
    _ok(0)(res, tmp)
    rows = list(csv.reader(io.StringIO(res.out)))
    assert len(rows) > 1, res.out
    for row in rows:
        for cell in row:
            if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not _number(cell)):
                raise AssertionError(f"live formula cell {cell!r}")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _json_strict(res: Result, tmp: Path) -> None:
    _ok(0, 1)(res, tmp)
    text = res.out.strip()
    if "\n{" in text and text.startswith("{") and not text.startswith("{\n"):
        for line in text.splitlines():  # JSON Lines
            strict_json(line)
    else:
        strict_json(text)


def _db_values(tmp: Path, sql: str, expected: list[str]) -> None:
    from align.postings import PostingsStore

    with PostingsStore(tmp / "p.duckdb", read_only=True) as store:
        got = sorted(store.query(sql).iloc[:, 0].astype(str))
    assert got == sorted(expected), got


def _no_file(name: str) -> Callable[[Result, Path], None]:
    def check(res: Result, tmp: Path) -> None:
        assert not (tmp / name).exists(), f"{name} was created: code ran"
        assert "Traceback" not in res.err

    return check


A = proposal()
CASES: list[Case] = [
    # -- 1. rich markup in user text ---------------------------------------------------
    Case(
        "markup-match-query",
        1,
        ["match", "[/x] analyze data", "--framework", "nace", "--method", "lexical"],
        error=None,
        check=_shows("[/x] analyze data", codes=(0,)),
    ),
    Case(
        "markup-proposal-title-check",
        1,
        ["check", "p.yaml", "--no-align"],
        {"p.yaml": proposal(title="Data [/x] badge [bold]", outcome="Analyze [/red] data")},
        error=None,
        check=_shows("Data [/x] badge"),
    ),
    Case(
        "markup-proposal-score",
        1,
        ["score", "p.yaml"],
        {"p.yaml": proposal(title="Data [/x] badge", outcome="Analyze [/red] data with SQL")},
        error=None,
        check=_shows("Data [/x] badge", codes=(0,)),
    ),
    Case(
        "score-lexical-needs-the-model",
        1,
        ["score", "p.yaml", "--method", "lexical"],
        {"p.yaml": proposal(title="Data badge", outcome="Analyze data with SQL")},
        error=("method='lexical'", "embedding model", "hybrid"),
    ),
    Case(
        "markup-policy-name",
        1,
        ["check", "p.yaml", "--no-align", "--policy", "pol.yaml"],
        {
            "p.yaml": A,
            "pol.yaml": "name: '[/x] policy'\ntypes:\n  enhancement: {description: '[/b]'}\n",
        },
        error=None,
        check=_shows("[/x] policy"),
    ),
    Case(
        "markup-error-message-file-name",
        1,
        ["check", "[/x].yaml", "--no-align"],
        {"[/x].yaml": "title: [unclosed\n"},
        error=("[/x].yaml",),
    ),
    Case(
        "markup-skill-name-demand",
        1,
        ["postings", "demand", "--db", "d.duckdb"],
        {"s.csv": postings('m1,2024-01-05,Analyst,15-2051.00,TX,"[""[/x] SQL""]"')},
        error=None,
        check=_shows("[/x] SQL", codes=(0,)),
    ),
    Case(
        "markup-gaps-stack-title",
        1,
        ["gaps", "s.yaml"],
        {
            "s.yaml": stack().replace("Data Stack", "'[/x] Stack'"),
            "a.yaml": proposal(credits="3").replace("enhancement", "academic"),
        },
        error=None,
        check=_shows("[/x] Stack", codes=(0,)),
    ),
    # -- 2. SQL built from user values -------------------------------------------------
    Case(
        "sql-quote-in-db-path",
        2,
        ["postings", "ingest", "--db", "it's/p.duckdb", "good.csv"],
        {"good.csv": GOOD_POSTINGS, "it's/.keep": ""},
        error=None,
        check=_ok(0),
    ),
    Case(
        "sql-quote-in-file-name",
        2,
        ["postings", "ingest", "--db", "p.duckdb", "it's; DROP TABLE postings;--.csv"],
        {"it's; DROP TABLE postings;--.csv": GOOD_POSTINGS},
        error=None,
        check=_ok(0),
    ),
    Case(
        "sql-quote-in-filters",
        2,
        ["postings", "demand", "--db", "p.duckdb", "--region", "T'X", "--occupation", "15-'"],
        {"p.duckdb": b""},
        error=("p.duckdb",),
        may_write=("p.duckdb",),
    ),
    # -- 3. deep nesting ---------------------------------------------------------------
    Case(
        "deep-yaml-proposal",
        3,
        ["check", "p.yaml", "--no-align"],
        {"p.yaml": deep_yaml()},
        error=("p.yaml", "nested"),
    ),
    Case(
        "deep-json-proposal",
        3,
        ["check", "p.json", "--no-align"],
        {"p.json": deep_json()},
        error=("p.json", "nested"),
    ),
    Case(
        "deep-yaml-policy",
        3,
        ["check", "p.yaml", "--no-align", "--policy", "pol.yaml"],
        {"p.yaml": A, "pol.yaml": "types: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n"},
        error=("pol.yaml", "nested"),
    ),
    Case(
        "deep-yaml-stack",
        3,
        ["gaps", "s.yaml"],
        {"s.yaml": "title: S\nmembers: " + "[" * 3000 + "]" * 3000 + "\n"},
        error=("s.yaml", "nested"),
    ),
    Case(
        "deep-json-case",
        3,
        ["frameworks", "show", "c.json"],
        {"c.json": '{"CFDocument": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}"},
        error=("c.json", "nested"),
    ),
    Case(
        "deep-postings-skills-cell",
        3,
        ["postings", "ingest", "--db", "p.duckdb", "n.csv"],
        {"n.csv": postings('n1,2024-01-05,A,15-2051.00,TX,"' + "[" * 5000 + "]" * 5000 + '"')},
        error=None,
        check=_shows("nested", codes=(0,)),
    ),
    Case(
        "deep-postings-jsonl-line",
        3,
        ["postings", "ingest", "--db", "p.duckdb", "n.jsonl"],
        {
            "n.jsonl": '{"ID": "n1", "SKILLS_NAME": ' + "[" * 5000 + "]" * 5000 + "}\n"
            '{"ID": "n2", "TITLE_RAW": "Analyst", "SKILLS_NAME": ["SQL"]}\n'
        },
        error=None,
        check=lambda res, tmp: _db_values(tmp, "SELECT skill_name FROM posting_skills", ["SQL"]),
    ),
    Case(
        "deep-json-match-framework",
        3,
        ["match", "x", "--framework", "c.json", "--method", "lexical"],
        {"c.json": '{"CFItems": ' + "[" * 5000 + "]" * 5000 + "}"},
        error=("c.json",),
    ),
    # -- 4. YAML alias bombs -----------------------------------------------------------
    Case(
        "alias-bomb-proposal",
        4,
        ["check", "p.yaml", "--no-align"],
        {"p.yaml": bomb()},
        error=("p.yaml", "aliases"),
    ),
    Case(
        "alias-bomb-8-levels",
        4,
        ["score", "p.yaml"],
        {"p.yaml": bomb(8)},
        error=("p.yaml", "aliases"),
    ),
    Case(
        "alias-bomb-policy",
        4,
        ["check", "p.yaml", "--no-align", "--policy", "pol.yaml"],
        {"p.yaml": A, "pol.yaml": bomb()},
        error=("pol.yaml", "aliases"),
    ),
    Case(
        "alias-bomb-stack", 4, ["gaps", "s.yaml"], {"s.yaml": bomb()}, error=("s.yaml", "aliases")
    ),
    # -- 5. invalid UTF-8 (argv and stdin cases needing bytes are in test_process.py) ---
    Case(
        "utf8-stdin-match",
        5,
        ["match", "--input", "-", "--framework", "nace"],
        stdin=b"Analyze \xff\xfe data\n",
        error=("standard input", "UTF-8"),
    ),
    Case(
        "utf8-surrogate-argument",
        5,
        ["match", "Analyze \udcff data", "--framework", "nace"],
        error=("UTF-8",),
    ),
    Case(
        "utf8-input-file",
        5,
        ["match", "--input", "in.txt", "--framework", "nace"],
        {"in.txt": b"Analyze \xe9 data\n"},
        error=("in.txt", "UTF-8"),
    ),
    Case(
        "latin1-proposal",
        11,
        ["check", "p.yaml", "--no-align"],
        {"p.yaml": proposal(title="Équipe données").encode("latin-1")},
        error=("p.yaml", "UTF-8", "line 1"),
    ),
    Case(
        "latin1-policy",
        11,
        ["check", "p.yaml", "--no-align", "--policy", "pol.yaml"],
        {"p.yaml": A, "pol.yaml": "name: Politique générale\n".encode("latin-1")},
        error=("pol.yaml", "UTF-8"),
    ),
    Case(
        "utf8-bom-postings-csv",
        5,
        ["postings", "ingest", "--db", "p.duckdb", "bom.csv"],
        {"bom.csv": b"\xef\xbb\xbf" + GOOD_POSTINGS.encode()},
        error=None,
        check=lambda res, tmp: _db_values(tmp, "SELECT posting_id FROM postings", ["p1", "p2"]),
    ),
    Case(
        "utf8-bom-postings-jsonl",
        5,
        ["postings", "ingest", "--db", "p.duckdb", "bom.jsonl"],
        {"bom.jsonl": "\ufeff" + json.dumps({"ID": "b1", "TITLE_RAW": "Analyst"}) + "\n"},
        error=None,
        check=lambda res, tmp: _db_values(tmp, "SELECT posting_id FROM postings", ["b1"]),
    ),
    Case(
        "utf16-proposal-ok",
        5,
        ["check", "p.yaml", "--no-align"],
        {"p.yaml": proposal(title="Équipe données").encode("utf-16")},
        error=None,
        check=_shows("Équipe données"),
    ),
    # -- 6. FIFOs and other non-files --------------------------------------------------
    Case(
        "fifo-framework-show",
        6,
        ["frameworks", "show", "f.json"],
        {"f.json": FIFO},
        error=("f.json", "pipe"),
    ),
    Case(
        "fifo-match-framework",
        6,
        ["match", "x", "--framework", "f.json"],
        {"f.json": FIFO},
        error=("f.json", "pipe"),
    ),
    Case(
        "fifo-proposal",
        6,
        ["check", "p.yaml", "--no-align"],
        {"p.yaml": FIFO},
        error=("p.yaml", "pipe"),
    ),
    Case(
        "fifo-policy",
        6,
        ["check", "p.yaml", "--no-align", "--policy", "f.yaml"],
        {"p.yaml": A, "f.yaml": FIFO},
        error=("f.yaml", "pipe"),
    ),
    Case("fifo-stack", 6, ["gaps", "f.yaml"], {"f.yaml": FIFO}, error=("f.yaml", "pipe")),
    Case(
        "fifo-postings",
        6,
        ["postings", "ingest", "--db", "p.duckdb", "f.csv"],
        {"f.csv": FIFO},
        error=("f.csv", "pipe"),
    ),
    Case(
        "fifo-match-input",
        6,
        ["match", "--input", "f.txt", "--framework", "nace"],
        {"f.txt": FIFO},
        error=("f.txt",),
    ),
    Case("folder-as-proposal", 6, ["check", "d", "--no-align"], {"d/x": ""}, error=("d", "folder")),
    Case(
        "dev-null-proposal", 6, ["check", "/dev/null", "--no-align"], error=("/dev/null", "device")
    ),
    # -- 7. formula injection in CSV outputs -------------------------------------------
    Case(
        "csv-formula-match-query",
        7,
        ["match", EVIL_SKILL, "--framework", "nace", "--method", "lexical", "--format", "csv"],
        error=None,
        check=_csv_neutral,
    ),
    Case(
        "csv-formula-demand",
        7,
        ["postings", "demand", "--db", "d.duckdb", "--format", "csv"],
        {"s.csv": EVIL_POSTINGS},
        error=None,
        check=_csv_neutral,
    ),
    Case(
        "csv-formula-portfolio",
        7,
        ["portfolio", "folder", "--format", "csv"],
        {"folder/a.yaml": proposal(title="=cmd|' /C calc'!A0", outcome="@SUM(1+1) analyze data")},
        error=None,
        check=_csv_neutral,
    ),
    Case(
        "csv-formula-batches",
        7,
        ["postings", "batches", "--db", "d.duckdb", "--format", "csv"],
        {"s.csv": EVIL_POSTINGS},
        error=None,
        check=_csv_neutral,
    ),
    # -- 8. invalid JSON out -----------------------------------------------------------
    Case(
        "nan-threshold-gaps",
        8,
        ["gaps", "s.yaml", "--threshold-credits", "nan", "--format", "json"],
        {"s.yaml": stack(), "a.yaml": A},
        error=("--threshold-credits", "nan"),
    ),
    Case(
        "inf-threshold-gaps",
        8,
        ["gaps", "s.yaml", "--threshold-credits", "inf", "--format", "json"],
        {"s.yaml": stack(), "a.yaml": A},
        error=("--threshold-credits",),
    ),
    Case(
        "inf-credits-member",
        8,
        ["gaps", "s.yaml", "--format", "json"],
        {"s.yaml": stack(), "a.yaml": proposal(credits=".inf")},
        error=("a.yaml", "finite"),
    ),
    Case(
        "inf-credits-json-proposal",
        8,
        ["check", "p.json", "--no-align", "--format", "json"],
        {
            "p.json": '{"title": "Data X", "issuing_unit": "S", "credits": Infinity, "outcomes": '
            '[{"id": "LO1", "text": "Analyze data"}]}'
        },
        error=("p.json", "Infinity"),
    ),
    Case(
        "huge-number-json-proposal",
        8,
        ["check", "p.json", "--no-align", "--format", "json"],
        {
            "p.json": '{"title": "Data X", "issuing_unit": "S", "credits": 1e999, "outcomes": '
            '[{"id": "LO1", "text": "Analyze data"}]}'
        },
        error=("p.json", "1e999"),
    ),
    Case(
        "string-inf-credits",
        8,
        ["check", "p.yaml", "--no-align", "--format", "json"],
        {"p.yaml": proposal(credits="'inf'")},
        error=("p.yaml", "credits"),
    ),
    Case(
        "json-out-strict-check",
        8,
        ["check", "p.yaml", "--no-align", "--format", "json"],
        {"p.yaml": proposal(title="NaN Infinity", outcome="Analyze NaN data")},
        error=None,
        check=_json_strict,
    ),
    Case(
        "json-out-strict-match",
        8,
        [
            "match",
            "analyze data",
            "--framework",
            "nace",
            "--method",
            "lexical",
            "--format",
            "jsonl",
        ],
        error=None,
        check=_json_strict,
    ),
    Case(
        "json-out-strict-demand",
        8,
        ["postings", "demand", "--db", "d.duckdb", "--format", "json"],
        {"s.csv": GOOD_POSTINGS},
        error=None,
        check=_json_strict,
    ),
    # -- 9. other tracebacks -----------------------------------------------------------
    Case(
        "csv-duplicate-header",
        9,
        ["postings", "ingest", "--db", "p.duckdb", "d.csv"],
        {"d.csv": "ID,TITLE_RAW,ID\n1,Analyst,2\n"},
        error=None,
        check=_shows("repeats column", codes=(0,)),
    ),
    Case(
        "gz-not-gzip",
        9,
        ["postings", "ingest", "--db", "p.duckdb", "n.csv.gz"],
        {"n.csv.gz": GOOD_POSTINGS},
        error=("n.csv.gz", "gzip"),
        may_write=("p.duckdb",),
    ),
    Case(
        "gz-truncated",
        9,
        ["postings", "ingest", "--db", "p.duckdb", "t.csv.gz"],
        {"t.csv.gz": gzip.compress(GOOD_POSTINGS.encode() * 50)[:60]},
        error=("t.csv.gz",),
        may_write=("p.duckdb",),
    ),
    Case(
        "bogus-encoding",
        9,
        ["postings", "ingest", "--db", "p.duckdb", "--encoding", "bogus-enc", "g.csv"],
        {"g.csv": GOOD_POSTINGS},
        error=("bogus-enc", "encoding"),
    ),
    Case(
        "number-for-target-occupations",
        9,
        ["check", "p.yaml", "--no-align"],
        {
            "p.yaml": proposal().replace(
                "target_occupations: [15-2051.00]", "target_occupations: 15"
            )
        },
        error=("p.yaml", "target_occupations", "found 15", "list"),
    ),
    Case(
        "mapping-for-target-occupations-score",
        9,
        ["score", "p.yaml"],
        {"p.yaml": proposal().replace("[15-2051.00]", "{code: 15-2051.00}")},
        error=("p.yaml", "target_occupations", "list"),
    ),
    Case(
        "impossible-date-proposal",
        9,
        ["check", "p.yaml", "--no-align"],
        {"p.yaml": proposal().replace("2030-01-01", "2029-02-30")},
        error=("p.yaml", "2029-02-30"),
    ),
    Case(
        "impossible-date-posting",
        9,
        ["postings", "ingest", "--db", "p.duckdb", "d.csv"],
        {
            "d.csv": postings(
                'd1,2029-02-30,Analyst,15-2051.00,TX,"[""SQL""]"',
                'd2,2024-02-01,Analyst,15-2051.00,TX,"[""SQL""]"',
            )
        },
        error=None,
        check=_shows("2029-02-30", codes=(0,)),
    ),
    Case(
        "period-year-zero",
        9,
        ["postings", "demand", "--db", "d.duckdb", "--period", "0000"],
        {"s.csv": GOOD_POSTINGS},
        error=("0000",),
    ),
    Case(
        "case-list-for-string",
        9,
        ["frameworks", "show", "c.json"],
        {
            "c.json": case_package(
                [
                    {"identifier": ["a"], "fullStatement": ["x"]},
                    {
                        "identifier": "b",
                        "fullStatement": "Teamwork",
                        "CFItemType": ["Skill"],
                        "extensions": {
                            "align": {"kind": ["skill"], "level": [1], "alt_labels": [[1]]}
                        },
                    },
                ],
                [
                    {
                        "associationType": ["isChildOf"],
                        "originNodeURI": {"identifier": ["b"]},
                        "destinationNodeURI": "doc",
                    }
                ],
            )
        },
        error=None,
        check=_shows("competencies", codes=(0,)),
    ),
    Case(
        "case-not-a-package",
        9,
        ["frameworks", "show", "c.json"],
        {"c.json": '{"CFDocument": ["x"]}'},
        error=("c.json",),
    ),
    Case(
        "jsonl-keys-change",
        9,
        ["postings", "ingest", "--db", "p.duckdb", "c.jsonl"],
        {
            "c.jsonl": "".join(json.dumps({"ID": i, "TITLE_RAW": "a"}) + "\n" for i in range(3))
            + "".join(json.dumps({"ID": i, "BODY": "SQL"}) + "\n" for i in range(3, 6))
        },
        error=None,
        check=_ok(0),
    ),
    Case(
        "xlsx-not-a-workbook",
        9,
        ["postings", "ingest", "--db", "p.duckdb", "x.xlsx"],
        {"x.xlsx": b"PK\x03\x04 not really"},
        error=("x.xlsx",),
        may_write=("p.duckdb",),
    ),
    Case(
        "parquet-not-parquet",
        9,
        ["postings", "ingest", "--db", "p.duckdb", "x.parquet"],
        {"x.parquet": b"PAR1 nope"},
        error=("x.parquet",),
        may_write=("p.duckdb",),
    ),
    # -- 10. data loss -----------------------------------------------------------------
    Case(
        "unbalanced-quote-refused",
        10,
        ["postings", "ingest", "--db", "p.duckdb", "q.csv"],
        {
            "q.csv": postings(
                'q1,2024-01-05,"Analyst,15-2051.00,TX,',
                "q2,2024-01-05,B,,TX,",
                "q3,2024-01-05,C,,TX,",
                "q4,2024-01-05,D,,TX,",
            )
        },
        error=("q.csv", "quote", "line 2"),
        may_write=("p.duckdb",),
    ),
    Case(
        "multi-file-partial-failure",
        10,
        ["postings", "ingest", "--db", "p.duckdb", "good.csv", "bad.csv.gz", "later.csv"],
        {"good.csv": GOOD_POSTINGS, "bad.csv.gz": b"nope", "later.csv": GOOD_POSTINGS},
        error=("bad.csv.gz", "Already loaded", "good.csv", "Not read", "later.csv"),
        may_write=("p.duckdb",),
    ),
    Case(
        "empty-database-left-by-a-full-disk",
        10,
        ["postings", "ingest", "--db", "p.duckdb", "good.csv"],
        {"good.csv": GOOD_POSTINGS, "p.duckdb": b""},
        error=None,
        check=lambda res, tmp: _db_values(tmp, "SELECT posting_id FROM postings", ["p1", "p2"]),
    ),
    Case(
        "empty-database-read",
        10,
        ["postings", "demand", "--db", "p.duckdb"],
        {"p.duckdb": b""},
        error=("p.duckdb", "empty", "align postings ingest"),
        may_write=("p.duckdb",),
    ),
    Case(
        "ids-123-and-123.0-kept-apart",
        10,
        ["postings", "ingest", "--db", "p.duckdb", "ids.csv"],
        {"ids.csv": "ID,TITLE_RAW\n123,Analyst\n123.0,Engineer\n"},
        error=None,
        check=lambda res, tmp: _db_values(tmp, "SELECT posting_id FROM postings", ["123", "123.0"]),
    ),
    # -- 11. silent wrong results
    Case(
        "jsonl-objects-stored-as-json",
        11,
        ["postings", "ingest", "--db", "p.duckdb", "o.jsonl"],
        {"o.jsonl": json.dumps({"ID": "o1", "TITLE_RAW": "A", "COMPANY_NAME": {"id": 7}}) + "\n"},
        error=None,
        check=lambda res, tmp: _db_values(tmp, "SELECT company FROM postings", ['{"id": 7}']),
    ),
    Case(
        "mapping-skills-cell-not-a-skill",
        11,
        ["postings", "ingest", "--db", "p.duckdb", "m.csv"],
        {
            "m.csv": postings(
                "m1,2024-01-05,A,15-2051.00,TX,\"{'a': 1}\"",
                "m2,2024-01-05,A,15-2051.00,TX,\"[{'a': 1}, 'Python']\"",
                'm3,2024-01-05,A,15-2051.00,TX,"[{""id"": ""KS1"", ""name"": ""SQL""}]"',
            )
        },
        error=None,
        check=lambda res, tmp: (
            _shows("no 'name'", codes=(0,))(res, tmp),
            _db_values(tmp, "SELECT skill_name FROM posting_skills", ["SQL"]),
        ),
    ),
    Case(
        "duplicate-key-yaml",
        11,
        ["check", "p.yaml", "--no-align"],
        {"p.yaml": proposal() + "title: Another title\n"},
        error=("p.yaml", "'title'", "line"),
    ),
    Case(
        "duplicate-key-json",
        11,
        ["check", "p.json", "--no-align"],
        {
            "p.json": '{"title": "Data A", "issuing_unit": "S", "title": "Data B", '
            '"outcomes": [{"id": "LO1", "text": "Analyze data"}]}'
        },
        error=("p.json", "'title'"),
    ),
    Case(
        "duplicate-key-policy",
        11,
        ["check", "p.yaml", "--no-align", "--policy", "pol.yaml"],
        {"p.yaml": A, "pol.yaml": "name: a\nname: b\ntypes: {enhancement: {}}\n"},
        error=("pol.yaml", "'name'"),
    ),
    Case(
        "duplicate-key-case",
        11,
        ["frameworks", "show", "c.json"],
        {"c.json": '{"CFDocument": {"title": "A", "title": "B"}, "CFItems": []}'},
        error=("c.json", "'title'"),
    ),
    Case(
        "negative-threshold",
        11,
        ["gaps", "s.yaml", "--threshold-credits", "-1"],
        {"s.yaml": stack(), "a.yaml": A},
        error=("--threshold-credits", "-1"),
    ),
    Case(
        "policy-min-above-max",
        11,
        ["check", "p.yaml", "--no-align", "--policy", "pol.yaml"],
        {
            "p.yaml": A,
            "pol.yaml": "types: {academic: {credit_bearing: true}, enhancement: {}}\n"
            "credits: {credit_bearing_min: 9, credit_bearing_max: 3}\n",
        },
        error=("pol.yaml", "credit_bearing_min"),
    ),
    Case(
        "control-chars-in-title",
        11,
        ["check", "p.yaml", "--no-align"],
        {
            "p.yaml": proposal(title="Data\x1b[31m red\x07 bell\u202e evil")
            .replace('"Data', '"Data')
            .encode()
        },
        error=None,
        check=_no_raw_controls,
    ),
    Case(
        "nul-in-match-query",
        11,
        ["match", "Analyze\x1b[2J data", "--framework", "nace", "--method", "lexical"],
        error=None,
        check=_no_raw_controls,
    ),
    Case(
        "case-parent-cycle",
        11,
        ["match", "teamwork", "--framework", "c.json", "--method", "lexical"],
        {
            "c.json": case_package(
                [
                    {"identifier": "a", "fullStatement": "Teamwork"},
                    {"identifier": "b", "fullStatement": "Communication"},
                ],
                [child("a", "b"), child("b", "a")],
            )
        },
        error=None,
        check=_shows("Teamwork", "cycle", codes=(0,)),
    ),
    Case(
        "yaml-python-tag",
        11,
        ["check", "p.yaml", "--no-align"],
        {"p.yaml": "title: !!python/object/apply:os.system ['touch pwned']\n"},
        error=("p.yaml", "tag"),
    ),
    Case(
        "yaml-python-tag-policy",
        11,
        ["check", "p.yaml", "--no-align", "--policy", "x.yaml"],
        {"p.yaml": A, "x.yaml": "name: !!python/object/apply:os.system ['touch pwned']\n"},
        error=("x.yaml",),
    ),
    Case(
        "python-literal-skills",
        11,
        ["postings", "ingest", "--db", "p.duckdb", "l.csv"],
        {
            "l.csv": postings(
                "l1,2024-01-05,A,15-2051.00,TX,\"[__import__('os').system('touch pwned')]\""
            )
        },
        error=None,
        check=_no_file("pwned"),
    ),
    Case(
        "demand-negative-top",
        9,
        ["postings", "demand", "--db", "d.duckdb", "--top", "-1"],
        {"s.csv": GOOD_POSTINGS},
        error=("top", "-1"),
    ),
    Case(
        "export-into-a-file-path",
        9,
        ["frameworks", "export", "nace", "afile/out.json"],
        {"afile": "a file, not a folder"},
        error=("afile",),
    ),
    Case(
        "html-report-into-a-file-path",
        9,
        ["score", "p.yaml", "--html", "afile/report.html"],
        {"p.yaml": A, "afile": "a file, not a folder"},
        error=("afile",),
    ),
    # -- 12. limits and messages seen by a new user ------------------------------------
    Case(
        "portfolio-unknown-soc",
        12,
        ["portfolio", "folder"],
        {"folder/a.yaml": A, "folder/b.yaml": proposal(soc="99-9999.00")},
        error=None,
        check=_shows("b.yaml", "99-9999", "left out", codes=(0,)),
    ),
    Case(
        "too-many-outcomes",
        12,
        ["score", "p.yaml"],
        {
            "p.yaml": "title: Big\nissuing_unit: X\noutcomes:\n"
            + "".join(f"  - {{id: LO{i}, text: Analyze data set {i}}}\n" for i in range(10_000))
        },
        error=("p.yaml", "outcomes"),
    ),
    Case(
        "outcome-too-long",
        12,
        ["check", "p.yaml", "--no-align"],
        {"p.yaml": proposal(outcome="Analyze " + "data " * 3000)},
        error=("p.yaml", "outcomes[1].text", "2,000"),
    ),
    Case(
        "proposal-file-too-big",
        12,
        ["check", "p.yaml", "--no-align"],
        {"p.yaml": proposal() + "# " + "x" * 2_100_000 + "\n"},
        error=("p.yaml", "MB"),
    ),
    Case(
        "match-text-too-long",
        12,
        ["match", "a" * 20_000, "--framework", "nace"],
        error=("characters",),
    ),
    Case(
        "ingest-into-unwritable-db",
        9,
        ["postings", "ingest", "--db", "nodir/x.duckdb/y", "g.csv"],
        {"g.csv": GOOD_POSTINGS, "nodir/x.duckdb": "a file, not a folder"},
        error=("x.duckdb",),
    ),
]


# Commands that need a postings database built first from the case's .csv files.
_NEEDS_DB = {"markup-skill-name-demand", "csv-formula-demand", "csv-formula-batches",
             "json-out-strict-demand", "period-year-zero", "demand-negative-top"}  # fmt: skip


def _write(tmp: Path, files: dict[str, str | bytes | object]) -> None:
    for name, content in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is FIFO:
            os.mkfifo(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(str(content), encoding="utf-8")


def _listing(tmp: Path) -> set[str]:
    return {str(p.relative_to(tmp)) for p in tmp.rglob("*")}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus(case: Case, cli: Callable[..., Result], tmp_path: Path) -> None:
    _write(tmp_path, case.files)
    if case.id in _NEEDS_DB:
        from align.postings import ingest_postings

        csvs = [tmp_path / n for n in case.files if n.endswith(".csv")]
        ingest_postings(csvs, tmp_path / "d.duckdb", progress=False)
    before = _listing(tmp_path)
    res = cli(*case.args, stdin=case.stdin)
    assert "Traceback" not in res.err + res.out, res.err
    if case.error is None:
        assert case.check is not None
        case.check(res, tmp_path)
        return
    assert_clean_error(res, *case.error)
    written = _listing(tmp_path) - before - set(case.may_write)
    written = {w for w in written if not any(w.startswith(m) for m in case.may_write)}
    assert not written, f"a failed run wrote {written}"
    assert not (tmp_path / "pwned").exists()


def test_every_class_is_covered() -> None:
    assert {c.klass for c in CASES} == set(range(1, 13))
    assert len({c.id for c in CASES}) == len(CASES)
