"""`align match` and `align cache`: the stable CLI contract."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from align._match import MATCH_COLUMNS
from align.cli import app
from align.exceptions import AlignDataWarning, InvalidArgumentError, UnknownNameError

pytestmark = pytest.mark.slow
runner = CliRunner()
JSONL_KEYS = ["framework", "id", "code", "label", "score", "semantic_score", "lexical_score", "url"]


def _jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def _model_once(embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the CLI reuse the session's loaded model instead of loading its own."""
    from align import _embed

    shared = _embed.get_embedder()
    if shared._model is None:
        shared._model = embedder._load()


def test_jsonl_one_line_per_text_in_order(tmp_path: Path) -> None:
    src = tmp_path / "outcomes.txt"
    src.write_text("Communicate clearly in writing\n\nWork well in a team\n", "utf-8")
    res = runner.invoke(
        app,
        [
            "match",
            "Show leadership",
            "--input",
            str(src),
            "--framework",
            "nace",
            "--format",
            "jsonl",
            "--top-k",
            "2",
        ],
    )
    assert res.exit_code == 0, res.output
    lines = _jsonl(res.stdout)
    assert [ln["query"] for ln in lines] == [
        "Show leadership",
        "Communicate clearly in writing",
        "",
        "Work well in a team",
    ]
    assert lines[2]["matches"] == []
    for ln in (lines[0], lines[1], lines[3]):
        assert list(ln) == ["query", "matches"] and 1 <= len(ln["matches"]) <= 2
        for m in ln["matches"]:
            assert list(m) == JSONL_KEYS
            assert 0 <= m["score"] <= 1 and m["id"].startswith("nace:")
    assert lines[0]["matches"][0]["id"] == "nace:leadership"


def test_stdin_csv_and_table() -> None:
    res = runner.invoke(
        app,
        [
            "match",
            "--input",
            "-",
            "--framework",
            "nace",
            "--format",
            "csv",
            "--method",
            "lexical",
            "--top-k",
            "3",
        ],
        input="teamwork\nprofessionalism\n",
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout))
    assert tuple(df.columns) == MATCH_COLUMNS
    assert df["query_index"].tolist() == [0, 0, 0, 1, 1, 1]
    table = runner.invoke(
        app, ["match", "Speak in public", "--framework", "nace", "--min-score", "0.2"]
    )
    assert table.exit_code == 0 and "Speak in public" in table.stdout


def test_several_frameworks_are_merged_by_score() -> None:
    res = runner.invoke(
        app,
        [
            "match",
            "lead a team",
            "--framework",
            "nace",
            "--framework",
            "cmc",
            "--format",
            "jsonl",
            "--top-k",
            "4",
        ],
    )
    assert res.exit_code == 0, res.output
    matches = _jsonl(res.stdout)[0]["matches"]
    assert len(matches) == 4
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True)


def test_unknown_framework_lists_the_available_ones() -> None:
    res = runner.invoke(app, ["match", "x", "--framework", "onett"])
    assert isinstance(res.exception, UnknownNameError)
    for name in (
        "onet",
        "onet-occupations",
        "esco",
        "esco-occupations",
        "lightcast",
        "nace",
        "cmc",
    ):
        assert name in str(res.exception)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["match", "x"], "no --framework"),
        (["match", "--framework", "nace"], "no texts"),
        (["match", "x", "--framework", "nace", "--format", "xml"], "--format 'xml'"),
        (["match", "x", "--framework", "nace", "--method", "magic"], "--method 'magic'"),
        (["match", "--input", "missing.txt", "--framework", "nace"], "is not a file"),
    ],
)
def test_bad_arguments(args: list[str], message: str) -> None:
    res = runner.invoke(app, args)
    assert isinstance(res.exception, InvalidArgumentError)
    assert message in str(res.exception)


def test_cache_info_and_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    res = runner.invoke(app, ["match", "Teamwork", "--framework", "nace", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    info = runner.invoke(app, ["cache", "info", "--json"])
    data = json.loads(info.stdout)
    assert data["vectors"] > 0 and data["path"].startswith(str(tmp_path))
    cleared = runner.invoke(app, ["cache", "clear"])
    assert (
        cleared.exit_code == 0 and f"removed {data['vectors']:,} cached vectors" in cleared.stdout
    )
    assert json.loads(runner.invoke(app, ["cache", "info", "--json"]).stdout)["vectors"] == 0


@pytest.mark.realdata
def test_done_criterion_onet_financial_statements(data_dir: Path) -> None:
    with warnings.catch_warnings():
        # The shared copy is a partial release; the loader says so, which is not under test.
        warnings.filterwarnings("ignore", message=".*lacks", category=AlignDataWarning)
        res = runner.invoke(
            app,
            [
                "match",
                "Analyze financial statements and present findings",
                "--framework",
                "onet",
                "--data-dir",
                str(data_dir),
                "--format",
                "jsonl",
            ],
        )
    assert res.exit_code == 0, res.output
    (line,) = _jsonl(res.stdout)
    labels = [m["label"] for m in line["matches"]]
    assert len(labels) == 5
    assert all(m["url"].startswith("https://www.onetonline.org/") for m in line["matches"])
    # Sensible: the best matches are about analysing financial information.
    assert "financ" in labels[0].lower()
    assert sum("financ" in lab.lower() for lab in labels) >= 3


def test_framework_given_as_a_file(tmp_path: Path) -> None:
    src = tmp_path / "skills.csv"
    src.write_text(
        "id,name,type\nKS1,Python (Programming Language),Hard Skill\n"
        "KS2,Data Visualization,Hard Skill\nKS3,Negotiation,Soft Skill\n",
        "utf-8",
    )
    res = runner.invoke(
        app,
        [
            "match",
            "python",
            "negotiation with suppliers",
            "--framework",
            str(src),
            "--method",
            "lexical",
            "--format",
            "jsonl",
            "--top-k",
            "1",
        ],
    )
    assert res.exit_code == 0, res.output
    lines = _jsonl(res.stdout)
    assert [ln["matches"][0]["code"] for ln in lines] == ["KS1", "KS3"]
    assert all(ln["matches"][0]["semantic_score"] is None for ln in lines)  # NaN -> null


@pytest.mark.realdata
def test_kind_option_replaces_default_kinds(data_dir: Path) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*lacks", category=AlignDataWarning)
        res = runner.invoke(
            app,
            [
                "match",
                "Critical thinking",
                "Listen to others",
                "--framework",
                "onet",
                "--data-dir",
                str(data_dir),
                "--kind",
                "skill",
                "--format",
                "csv",
                "--top-k",
                "3",
            ],
        )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout))
    assert set(df["kind"]) == {"skill"}
    assert df.groupby("query_index")["label"].first().tolist() == [
        "Critical Thinking",
        "Active Listening",
    ]


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("target", "text", "expected_label", "url_prefix"),
    [
        # ESCO: the label is ESCO's preferredLabel as published.
        ("esco", "manage a team", "manage a team", "http://data.europa.eu/esco/skill/"),
        ("esco-occupations", "data scientist", "data scientist", "http://data.europa.eu/esco/"),
        ("onet-occupations", "Registered Nurses", "Registered Nurses", "https://www.onetonline"),
    ],
)
def test_esco_and_occupation_targets_end_to_end(
    data_dir: Path, target: str, text: str, expected_label: str, url_prefix: str
) -> None:
    # --method lexical: the target wiring is under test here, not a cold embedding of all
    # of ESCO (which takes tens of minutes on two cores; see benchmarks/).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*lacks", category=AlignDataWarning)
        res = runner.invoke(
            app,
            [
                "match",
                text,
                "",
                "--framework",
                target,
                "--data-dir",
                str(data_dir),
                "--method",
                "lexical",
                "--format",
                "jsonl",
                "--top-k",
                "3",
            ],
        )
    assert res.exit_code == 0, res.output
    first, blank = _jsonl(res.stdout)
    assert blank == {"query": "", "matches": []}
    best = first["matches"][0]
    assert best["label"] == expected_label and best["score"] == 1.0
    assert best["url"].startswith(url_prefix)
    assert list(best) == JSONL_KEYS


def test_table_fits_80_columns_and_widens_beyond(monkeypatch: pytest.MonkeyPatch) -> None:
    from align.cli import _app

    text = "Present data-driven recommendations to stakeholders orally and in writing."
    monkeypatch.setattr(_app.console, "_width", 80)  # restored to None (follow the terminal)
    narrow = runner.invoke(app, ["match", text, "--framework", "nace", "--top-k", "3"])
    assert narrow.exit_code == 0, narrow.output
    lines = narrow.stdout.rstrip("\n").splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80, narrow.stdout
    assert "matched on" in narrow.stdout and "nace:communication" in narrow.stdout
    assert "semantic" not in narrow.stdout
    monkeypatch.setattr(_app.console, "_width", 140)
    wide = runner.invoke(app, ["match", text, "--framework", "nace", "--top-k", "3"])
    assert wide.exit_code == 0, wide.output
    assert "semantic" in wide.stdout and "lexical" in wide.stdout
