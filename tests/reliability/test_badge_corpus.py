"""The bad-input corpus of issue 23 for badges: exports, overwrites, import-badge.

Each case writes its files into a fresh folder at test time (badges and
proposals generated here, nothing committed), runs ``align ...`` in-process and
checks what a careless or hostile user would see:

- **exports** (class 13): spreadsheet formulas, terminal control characters,
  ``javascript:``/``file:`` URLs, unencoded ids, raw HTML in the criteria and
  look-alike hosts are neutralised, escaped or refused, and ``--check`` reports
  everything the export refuses;
- **overwrites** (class 14): no command writes over its own input, or over a
  file align did not write, without ``--force``;
- **import-badge** (class 15): review state, ids and outcome links are kept,
  hostile URLs, mapping-valued and over-long names are refused with one clear
  line, importing twice changes nothing, large badges cannot make a proposal
  unreadable.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from .test_corpus import _csv_neutral, assert_clean_error, strict_json

Result = Any

NACE = "https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/"


def _case_item(label: str, url: str = "https://case.example.org/items/1", **kw: Any) -> dict:
    return {"outcome": "LO1", "framework": "case", "framework_version": "2024",
            "id": kw.pop("id", "case:item-1"), "code": kw.pop("code", "item-1"), "label": label,
            "url": url, **kw}  # fmt: skip


def _nace(outcome: str = "LO1", **kw: Any) -> dict:
    return {"outcome": outcome, "framework": "nace", "framework_version": "2021",
            "id": "nace:communication", "code": "communication", "label": "Communication",
            "url": NACE, **kw}  # fmt: skip


def proposal(alignments: list[dict] | None = None, **fields: Any) -> str:
    data = {
        "title": "Data Skills Badge",
        "description": "Querying and presenting data for working analysts.",
        "issuing_unit": "Statistics",
        "type": "enhancement",
        "credits": 0,
        "outcomes": [
            {
                "id": "LO1",
                "text": "Analyze data sets and present the findings",
                "assessment": "rubric-scored report",
                "evidence": "report",
            },
            {"id": "LO2", "text": "Write SQL queries", "assessment": "timed practical"},
        ],
        "target_occupations": ["15-2051.00"],
        "expiry": "2030-01-01",
        "alignments": alignments if alignments is not None else [_nace()],
        **fields,
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def badge(alignments: list[dict], tags: list[str] | None = None, narrative: str = "") -> str:
    bc: dict[str, Any] = {"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass",
                          "name": "B", "tags": tags or [], "alignment": alignments}  # fmt: skip
    if narrative:
        bc["criteria"] = {"narrative": narrative}
    return json.dumps(bc)


def _al(name: Any = "Communication", url: Any = NACE, **kw: Any) -> dict:
    return {"targetName": name, "targetUrl": url,
            "targetFramework": kw.pop("fw", "NACE Career Readiness Competencies 2021"),
            "targetCode": kw.pop("code", "communication"), **kw}  # fmt: skip


@dataclass
class Case:
    id: str
    klass: int
    args: list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)
    error: tuple[str, ...] | None = ()  # needles of the error; None: must succeed
    check: Callable[[Result, Path], None] | None = None
    unchanged: tuple[str, ...] = ()  # files the command must leave byte-identical
    setup: list[list[str]] = field(default_factory=list)  # commands run first


def _ok(res: Result, _: Path) -> None:
    assert "Traceback" not in res.err, res.err
    assert res.code == 0, (res.code, res.err)


def _stdout_has(*needles: str, absent: tuple[str, ...] = ()) -> Callable[[Result, Path], None]:
    def check(res: Result, tmp: Path) -> None:
        assert "Traceback" not in res.err, res.err
        for n in needles:
            assert n in res.out, (n, res.out[-3000:], res.err)
        for n in absent:
            assert n not in res.out + res.err, (n, res.out[-3000:])

    return check


def _check_fails(*rules: str) -> Callable[[Result, Path], None]:
    def check(res: Result, tmp: Path) -> None:
        assert "Traceback" not in res.err, res.err
        assert res.code == 1, (res.code, res.out, res.err)
        for r in rules:
            assert f"[{r}]" in res.out, (r, res.out)

    return check


def _no_controls(res: Result, tmp: Path) -> None:
    assert "Traceback" not in res.err, res.err
    assert res.code in (0, 1), res.err
    for ch in ("\x1b", "\x07", "\x00", "\u202e", "\x9b"):
        assert ch not in res.out + res.err, repr(ch)


def _json_ok(*absent: str) -> Callable[[Result, Path], None]:
    def check(res: Result, tmp: Path) -> None:
        _ok(res, tmp)
        text = json.dumps(strict_json(res.out))
        for a in absent:
            assert a not in text, (a, text[:2000])

    return check


def _narrative_is_text(res: Result, tmp: Path) -> None:
    _ok(res, tmp)
    ach = strict_json(res.out)["credentialSubject"]["achievement"]  # type: ignore[index]
    narrative = ach["criteria"]["narrative"]
    assert "\\<img" in narrative and not re.search(r"(?<!\\)<img", narrative), narrative
    assert not re.search(r"(?<!\\)\]\(javascript", narrative), narrative


def _proposal_of(name: str, test: Callable[[dict], None]) -> Callable[[Result, Path], None]:
    def check(res: Result, tmp: Path) -> None:
        _ok(res, tmp)
        from align.proposals import load_proposal

        test(load_proposal(tmp / name).to_dict())

    return check


def _big_badge(tag: str, n: int = 190, size: int = 9_000) -> str:
    return badge(
        [
            _al(
                f"Item {tag} {i}",
                f"https://case.example.org/{tag}/{i}",
                fw="CASE framework",
                code=f"{tag}{i}",
                targetDescription="x" * size,
            )
            for i in range(n)
        ]
    )


_OB2_NARRATIVE = (
    "Learners who earn this credential have shown that they can:\n\n"
    "- **LO2**: Write SQL queries\n"
    f"  - Competencies: [Communication](<{NACE}>) (NACE Career Readiness Competencies 2021, "
    "communication)\n"
)
_TASK = _al(
    "Develop, conduct, or coordinate health needs assessments.",
    "https://www.onetonline.org/link/details/21-1091.00",
    fw="O*NET 29.3",
    code="9229",
)

CASES: list[Case] = [
    # -- 13. exports ---------------------------------------------------------------
    Case("csv-formula-labels", 13, ["export", "p.yaml", "--to", "csv"],
         {"p.yaml": proposal([_case_item('=HYPERLINK("http://evil.example.com","x")'),
                              _case_item("+cmd|' /C calc'!A0", id="case:2", code="2"),
                              _case_item("@SUM(1+1)", id="case:3", code="-3+3")])},
         error=None, check=_csv_neutral),
    Case("esc-bel-in-labels-csv", 13, ["export", "p.yaml", "--to", "csv"],
         {"p.yaml": proposal([_case_item("Red\x1b[31m alert\x07 \u202eevil")])},
         error=None, check=_no_controls),
    Case("esc-bel-in-labels-json", 13, ["export", "p.yaml", "--to", "ob3"],
         {"p.yaml": proposal([_case_item("Red\x1b[31m alert\x07 \x9b")],
                             title="Data\x1b]0;pwned\x07 Skills")},
         error=None, check=_no_controls),
    Case("esc-bel-in-check", 13, ["export", "p.yaml", "--to", "ob3", "--check"],
         {"p.yaml": proposal([_case_item("Red\x1b[31m", url="javascript:x\x07")])},
         error=None, check=_no_controls),
    Case("javascript-image-url", 13, ["export", "p.yaml", "--to", "ob3", "--image-url",
                                      "javascript:alert(1)"],
         {"p.yaml": proposal()}, error=("image", "javascript")),
    Case("javascript-issuer-url", 13, ["export", "p.yaml", "--to", "ob2", "--issuer-url",
                                       "javascript:alert(1)"],
         {"p.yaml": proposal()}, error=("issuer URL", "javascript")),
    Case("file-criteria-url", 13, ["export", "p.yaml", "--to", "credly", "--criteria-url",
                                   "file:///etc/passwd"],
         {"p.yaml": proposal()}, error=("criteria URL", "file")),
    Case("svg-data-image", 13, ["export", "p.yaml", "--to", "ob3", "--image-url",
                                "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"],
         {"p.yaml": proposal()}, error=("image", "data:")),
    Case("check-reports-what-export-refuses", 13,
         ["export", "p.yaml", "--to", "ob3", "--check", "--image-url", "javascript:alert(1)",
          "--base-url", "javascript:alert(2)//", "--criteria-url", "file:///etc/passwd"],
         {"p.yaml": proposal()}, error=None,
         check=_check_fails("image-url", "base-url", "criteria-url")),
    Case("achievement-id-encoded", 13,
         ["export", "p.yaml", "--to", "ob3", "--base-url", "https://badges.example.edu"],
         {"p.yaml": proposal(id="data skills/../x?y#z")}, error=None,
         check=_stdout_has("/achievements/data%20skills%2F..%2Fx%3Fy%23z",
                           absent=("achievements/data skills",))),
    Case("narrative-html-is-text", 13, ["export", "p.yaml", "--to", "ob3"],
         {"p.yaml": proposal(outcomes=[
             {"id": "LO1", "text": "Analyze <img src=x onerror=alert(1)> [x](javascript:y)"},
             {"id": "LO2", "text": "Write SQL"}])},
         error=None, check=_narrative_is_text),
    Case("check-script-in-target-url", 13, ["export", "p.yaml", "--to", "ob3", "--check"],
         {"p.yaml": proposal([_case_item("X", url='https://case.example.org/"><script>a</script>')])},
         error=None, check=_check_fails("alignment-url")),
    Case("check-userinfo-lookalike", 13, ["export", "p.yaml", "--to", "ob2", "--check"],
         {"p.yaml": proposal([_case_item("X", url="https://www.onetonline.org@evil.example.com/x")])},
         error=None, check=_check_fails("alignment-url")),
    Case("onet-alignment-on-another-host", 13, ["export", "p.yaml", "--to", "ob3"],
         {"p.yaml": proposal([{"outcome": "LO1", "framework": "onet", "framework_version": "29.3",
                               "id": "onet:2.A.2.a", "code": "2.A.2.a",
                               "label": "Critical Thinking",
                               "url": "https://evil.example.com/2.A.2.a"}])},
         error=None, check=_json_ok("evil.example.com")),
    Case("check-javascript-base-url", 13, ["export", "p.yaml", "--to", "ob3", "--check",
                                           "--base-url", "javascript:alert(document.cookie)//"],
         {"p.yaml": proposal()}, error=None, check=_check_fails("base-url")),
    Case("export-javascript-base-url", 13, ["export", "p.yaml", "--to", "ob3", "--base-url",
                                            "javascript:alert(1)//"],
         {"p.yaml": proposal()}, error=("base URL", "javascript")),
    Case("unreviewed-warns-in-check", 13, ["export", "p.yaml", "--to", "credly", "--check"],
         {"p.yaml": proposal(unreviewed_alignments=[_nace("LO2", status="unreviewed")])},
         error=None, check=_stdout_has("warning [unreviewed]")),
    Case("require-reviewed-fails", 13, ["export", "p.yaml", "--to", "ob3", "--check",
                                        "--require-reviewed"],
         {"p.yaml": proposal(unreviewed_alignments=[_nace("LO2", status="unreviewed")])},
         error=None, check=_check_fails("unreviewed")),
    # -- 14. nothing written over its input or a file align did not write -----------
    Case("export-out-is-its-input", 14, ["export", "p.yaml", "--to", "ob3", "--out", "p.yaml"],
         {"p.yaml": proposal()}, error=("own input", "--force"), unchanged=("p.yaml",)),
    Case("export-out-through-a-link", 14, ["export", "p.yaml", "--to", "ob3", "--out", "l.json"],
         {"p.yaml": proposal(), "l.json": "@link:p.yaml"}, error=("own input",),
         unchanged=("p.yaml",)),
    Case("export-out-not-ours", 14, ["export", "p.yaml", "--to", "ob3", "--out", "mine.json"],
         {"p.yaml": proposal(), "mine.json": '{"keep": true}'},
         error=("did not write", "--force"), unchanged=("mine.json",)),
    Case("export-out-force", 14, ["export", "p.yaml", "--to", "ob3", "--out", "mine.json",
                                  "--force"],
         {"p.yaml": proposal(), "mine.json": '{"keep": true}'}, error=None, check=_ok),
    Case("export-rerun-replaces-its-own", 14,
         ["export", "p.yaml", "--to", "ob3", "--out", "b.json"], {"p.yaml": proposal()},
         error=None, check=_ok, setup=[["export", "p.yaml", "--to", "ob2", "--out", "b.json"]]),
    Case("evidence-out-is-its-input", 14,
         ["evidence", "p.yaml", "--out", "p.yaml", "--method", "lexical"],
         {"p.yaml": proposal()}, error=("own input",), unchanged=("p.yaml",)),
    Case("evidence-pdf-not-ours", 14,
         ["evidence", "p.yaml", "--out", "e.html", "--pdf", "x.pdf", "--method", "lexical"],
         {"p.yaml": proposal(), "x.pdf": "%PDF mine"}, error=("--pdf", "did not write"),
         unchanged=("x.pdf",)),
    Case("score-html-is-its-input", 14,
         ["score", "p.yaml", "--html", "p.yaml", "--method", "lexical"],
         {"p.yaml": proposal()}, error=("--html", "own input"), unchanged=("p.yaml",)),
    Case("frameworks-export-not-ours", 14, ["frameworks", "export", "nace", "n.json"],
         {"n.json": "my notes"}, error=("did not write",), unchanged=("n.json",)),
    Case("synth-out-not-ours", 14, ["postings", "synth", "--rows", "5", "--out", "s.csv"],
         {"s.csv": "ID,TITLE\n1,mine\n"}, error=("did not write",), unchanged=("s.csv",)),
    Case("import-out-is-the-badge", 14,
         ["import-badge", "b.json", "--into", "p.yaml", "--out", "b.json"],
         {"p.yaml": proposal([]), "b.json": badge([_al()])}, error=("own input",),
         unchanged=("b.json", "p.yaml")),
    # -- 15. import-badge ---------------------------------------------------------------
    Case("import-keeps-unreviewed", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]), "b.json": badge([_al()], tags=["alignments-unreviewed"])},
         error=None,
         check=_proposal_of("p.yaml", lambda d: (
             pytest.approx(0) == len(d.get("alignments", []))
             and d["unreviewed_alignments"][0]["status"] == "unreviewed"
         ) or (_ for _ in ()).throw(AssertionError(d)))),
    Case("import-javascript-url", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]), "b.json": badge([_al(url="javascript:alert(1)")])},
         error=("javascript", "not imported"), unchanged=("p.yaml",)),
    Case("import-file-url", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]), "b.json": badge([_al(url="file:///etc/passwd")])},
         error=("file:", "not imported"), unchanged=("p.yaml",)),
    Case("import-data-url", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]),
          "b.json": badge([_al(url="data:text/html,<script>alert(1)</script>")])},
         error=("data:",), unchanged=("p.yaml",)),
    Case("import-lookalike-host", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]),
          "b.json": badge([_al(url="https://www.naceweb.org.evil.example.com/x")])},
         error=("naceweb.org.evil.example.com", "official site"), unchanged=("p.yaml",)),
    Case("import-userinfo-host", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]),
          "b.json": badge([_al(url="https://www.naceweb.org@evil.example.com/x")])},
         error=("user@host",), unchanged=("p.yaml",)),
    Case("import-mapping-name", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]), "b.json": badge([_al(name={"en": "Communication"})])},
         error=("name is a JSON object",), unchanged=("p.yaml",)),
    Case("import-name-over-limit", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]), "b.json": badge([_al(name="x" * 10_500)])},
         error=("10,500 characters", "10,000"), unchanged=("p.yaml",)),
    Case("import-twice-changes-nothing", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]), "b.json": badge([_al(), _TASK])}, error=None,
         check=_stdout_has("0 added to the reviewed"),
         setup=[["import-badge", "b.json", "--into", "p.yaml"]]),
    Case("import-keeps-task-ids", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]), "b.json": badge([_TASK])}, error=None,
         check=_proposal_of("p.yaml", lambda d: None if d["alignments"][0]["id"]
                            == "onet:task:9229" else (_ for _ in ()).throw(AssertionError(d)))),
    Case("import-ob2-keeps-outcomes", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]), "b.json": badge([_al()], narrative=_OB2_NARRATIVE)},
         error=None,
         check=_proposal_of("p.yaml", lambda d: None if d["alignments"][0]["outcome"] == "LO2"
                            else (_ for _ in ()).throw(AssertionError(d)))),
    Case("import-two-large-badges", 15, ["import-badge", "b2.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]), "b1.json": _big_badge("a"), "b2.json": _big_badge("b")},
         error=("MB", "align reads back"), unchanged=("p.yaml",),
         setup=[["import-badge", "b1.json", "--into", "p.yaml"]]),
    Case("import-not-a-badge", 15, ["import-badge", "b.json", "--into", "p.yaml"],
         {"p.yaml": proposal([]), "b.json": json.dumps({"type": "Profile", "name": "x"})},
         error=("Profile", "Open Badges"), unchanged=("p.yaml",)),
]  # fmt: skip


def _write(tmp: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = tmp / name
        if isinstance(content, str) and content.startswith("@link:"):
            os.symlink(tmp / content.removeprefix("@link:"), path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_badge_corpus(case: Case, cli: Callable[..., Result], tmp_path: Path) -> None:
    _write(tmp_path, case.files)
    for args in case.setup:
        first = cli(*args)
        assert first.code == 0, (args, first.err)
    before = {n: (tmp_path / n).read_bytes() for n in case.unchanged}
    res = cli(*case.args)
    assert "Traceback" not in res.err + res.out, res.err
    if case.error is None:
        assert case.check is not None
        case.check(res, tmp_path)
    else:
        assert_clean_error(res, *case.error)
    for name, content in before.items():
        assert (tmp_path / name).read_bytes() == content, f"{name} was changed"
    if case.id == "import-two-large-badges":
        from align.proposals import load_proposal

        load_proposal(tmp_path / "p.yaml")  # still readable


def test_every_class_is_covered() -> None:
    assert {c.klass for c in CASES} == {13, 14, 15}
    assert len({c.id for c in CASES}) == len(CASES)
