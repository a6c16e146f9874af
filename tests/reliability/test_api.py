"""The corpus through the Python API: the same bad inputs raise an ``AlignError``.

The error also is the builtin it resembles (``ValueError``, ``OSError``, ...), so callers
who do not know align can still catch it; nothing else escapes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import align
from align.exceptions import AlignError
from align.exports import write_case
from align.proposals import load_policy

GOOD = (
    "title: Data Skills\nissuing_unit: Statistics\ntype: enhancement\ncredits: 0\n"
    "outcomes:\n  - {id: LO1, text: Analyze data sets, evidence: report, assessment: rubric}\n"
    "target_occupations: [15-2051.00]\n"
)
BOMB = (
    "\n".join(
        ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
        + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    )
    + "\ntitle: *a9\n"
)
DEEP_JSON = '{"title": ' + "[" * 50_000 + "]" * 50_000 + "}"

# name -> bytes or str (FIFO for a named pipe)
FILES: dict[str, Any] = {
    "bomb.yaml": BOMB,
    "deep.json": DEEP_JSON,
    "deep.yaml": "title: " + "[" * 5000 + "]" * 5000 + "\n",
    "latin1.yaml": GOOD.replace("Data Skills", "Équipe").encode("latin-1"),
    "dup.yaml": GOOD + "title: Other\n",
    "inf.yaml": GOOD.replace("credits: 0", "credits: .inf"),
    "nan.json": '{"title": "Data X", "issuing_unit": "S", "credits": NaN}',
    "tag.yaml": "title: !!python/object/apply:os.system ['touch pwned']\n",
    "baddate.yaml": GOOD + "expiry: 2029-02-30\n",
    "fifo.yaml": "FIFO",
    "fifo.json": "FIFO",
    "fifo.csv": "FIFO",
    "many.yaml": "title: Big\nissuing_unit: X\noutcomes:\n"
    + "".join(f"  - {{id: LO{i}, text: Analyze set {i}}}\n" for i in range(500)),
    "minmax.yaml": "types: {academic: {credit_bearing: true}}\n"
    "credits: {credit_bearing_min: 9, credit_bearing_max: 3}\n",
    "notgz.csv.gz": b"not gzip",
    "quote.csv": 'ID,TITLE_RAW\n1,"Analyst\n2,B\n3,C\n',
    "case-dup.json": '{"CFDocument": {"title": "A", "title": "B"}, "CFItems": []}',
    "good.yaml": GOOD,
}


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name, content in FILES.items():
        path = tmp_path / name
        if content == "FIFO":
            os.mkfifo(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp_path


def _stack(tmp: Path) -> Path:
    path = tmp / "stack.json"
    path.write_text(
        json.dumps({"title": "Stack X", "target": "cmc", "members": ["good.yaml"]}),
        encoding="utf-8",
    )
    return path


CALLS: dict[str, Callable[[Path], Any]] = {
    "proposal-bomb": lambda t: align.load_proposal(t / "bomb.yaml"),
    "proposal-deep-json": lambda t: align.load_proposal(t / "deep.json"),
    "proposal-deep-yaml": lambda t: align.load_proposal(t / "deep.yaml"),
    "proposal-latin1": lambda t: align.load_proposal(t / "latin1.yaml"),
    "proposal-duplicate-key": lambda t: align.load_proposal(t / "dup.yaml"),
    "proposal-inf": lambda t: align.load_proposal(t / "inf.yaml"),
    "proposal-nan-json": lambda t: align.load_proposal(t / "nan.json"),
    "proposal-python-tag": lambda t: align.load_proposal(t / "tag.yaml"),
    "proposal-bad-date": lambda t: align.load_proposal(t / "baddate.yaml"),
    "proposal-fifo": lambda t: align.load_proposal(t / "fifo.yaml"),
    "proposal-too-many-outcomes": lambda t: align.load_proposal(t / "many.yaml"),
    "proposal-dict-inf": lambda t: align.load_proposal(
        {
            "title": "Data X",
            "issuing_unit": "S",
            "credits": float("inf"),
            "outcomes": [{"id": "LO1", "text": "Analyze data"}],
        }
    ),
    "stack-bomb": lambda t: align.load_stack(t / "bomb.yaml"),
    "stack-fifo": lambda t: align.load_stack(t / "fifo.yaml"),
    "policy-bomb": lambda t: load_policy(t / "bomb.yaml"),
    "policy-fifo": lambda t: load_policy(t / "fifo.yaml"),
    "policy-min-above-max": lambda t: load_policy(t / "minmax.yaml"),
    "policy-duplicate-key": lambda t: load_policy(t / "dup.yaml"),
    "framework-fifo": lambda t: align.load_framework(t / "fifo.json"),
    "framework-deep-json": lambda t: align.load_framework(t / "deep.json"),
    "framework-case-duplicate-key": lambda t: align.load_framework(t / "case-dup.json"),
    "ingest-fifo": lambda t: align.ingest_postings(t / "fifo.csv", t / "p.duckdb"),
    "ingest-not-gzip": lambda t: align.ingest_postings(
        t / "notgz.csv.gz", t / "p.duckdb", progress=False
    ),
    "ingest-unbalanced-quote": lambda t: align.ingest_postings(
        t / "quote.csv", t / "p.duckdb", progress=False
    ),
    "ingest-bogus-encoding": lambda t: align.ingest_postings(
        t / "quote.csv", t / "p.duckdb", encoding="bogus-enc"
    ),
    "match-surrogate": lambda t: align.match(["Analyze \udcff"], ["nace"], method="lexical"),
    "match-too-long": lambda t: align.match(["a" * 20_000], ["nace"], method="lexical"),
    "gaps-nan-threshold": lambda t: align.find_stacking_gaps(
        _stack(t), threshold_credits=float("nan")
    ),
    "gaps-negative-threshold": lambda t: align.find_stacking_gaps(_stack(t), threshold_credits=-1),
    "write-case-into-a-file": lambda t: write_case(
        align.load_framework("nace"), t / "good.yaml" / "out.json"
    ),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_python_api_raises_align_errors(name: str, files: Path) -> None:
    with pytest.raises(AlignError) as err:
        CALLS[name](files)
    assert str(err.value).strip(), "the message is empty"
    assert "Traceback" not in str(err.value)
    assert not (files / "pwned").exists()
