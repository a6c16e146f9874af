"""`align export`, `align import-badge` (the CLI contract); `align review` is in test_review.py."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from align import AlignDataWarning, ExportError
from align.cli import app, main
from align.proposals import load_proposal

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"
NACE = "https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/"
CMC = "https://www.careeronestop.org/CompetencyModel/competency-models/building-blocks-model.aspx"
ALIGNMENTS: list[dict[str, Any]] = [
    {"outcome": "LO3", "framework": "onet", "framework_version": "29.3", "id": "onet:2.A.2.a",
     "code": "2.A.2.a", "label": "Critical Thinking",
     "url": "https://www.onetonline.org/find/descriptor/result/2.A.2.a"},
    {"outcome": "LO5", "framework": "nace", "framework_version": "2021",
     "id": "nace:communication", "code": "communication", "label": "Communication", "url": NACE},
    {"outcome": "LO6", "framework": "nace", "framework_version": "2021", "id": "nace:teamwork",
     "code": "teamwork", "label": "Teamwork", "url": NACE},
    {"outcome": "LO6", "framework": "cmc", "framework_version": "2017",
     "id": "cmc:tier1.interpersonal_skills", "code": "1.1", "label": "Interpersonal Skills",
     "url": CMC},
]  # fmt: skip
URLS = [
    "--issuer-url",
    "https://badges.example.edu/issuers/scps",
    "--base-url",
    "https://badges.example.edu",
    "--criteria-url",
    "https://badges.example.edu/criteria/da",
]
runner = CliRunner()


@pytest.fixture
def reviewed(tmp_path: Path) -> Path:
    """data-analytics.yaml with reviewed alignments."""
    data = yaml.safe_load((EXAMPLES / "data-analytics.yaml").read_text())
    data["alignments"] = ALIGNMENTS
    f = tmp_path / "da.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    return f


@pytest.mark.parametrize("fmt", ["ob3", "ob2", "credly", "case"])
def test_export_json_formats_to_stdout(reviewed: Path, fmt: str) -> None:
    res = runner.invoke(app, ["export", str(reviewed), "--to", fmt])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    text = json.dumps(data)
    assert "Critical Thinking" in text and "https://www.onetonline.org/" in text


def test_export_csv_and_out_file(reviewed: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["export", str(reviewed), "--to", "csv"])
    assert res.exit_code == 0
    df = pd.read_csv(io.StringIO(res.stdout))
    assert list(df["competency_id"]) == [a["id"] for a in ALIGNMENTS]
    out = tmp_path / "sub" / "badge.json"
    res = runner.invoke(app, ["export", str(reviewed), "--to", "ob3", "--out", str(out), *URLS])
    assert res.exit_code == 0
    assert res.stdout == ""  # the file holds the export; the message goes to stderr
    cred = json.loads(out.read_text())
    assert cred["credentialSubject"]["achievement"]["id"].startswith("https://badges.example.edu/")


def test_unknown_format_is_a_usage_error(reviewed: Path) -> None:
    res = runner.invoke(app, ["export", str(reviewed), "--to", "pdf"])
    assert res.exit_code == 2
    assert "ob3, ob2, credly, case, csv" in res.output


def test_check_lists_every_reason_and_exits_1(reviewed: Path) -> None:
    res = runner.invoke(app, ["export", str(reviewed), "--to", "credly", "--check"])
    assert res.exit_code == 1
    assert "[credly-criteria]" in res.stdout
    res = runner.invoke(app, ["export", str(reviewed), "--to", "ob2", "--check"])
    assert res.exit_code == 1
    assert "[ob2-hosted-issuer]" in res.stdout and "[ob2-hosted-id]" in res.stdout
    for fmt in ("ob3", "ob2", "credly", "case", "csv"):
        res = runner.invoke(app, ["export", str(reviewed), "--to", fmt, "--check", *URLS])
        assert res.exit_code == 0, res.stdout
        assert "no problems found" in res.stdout


def test_missing_url_is_refused_with_the_competency_named(
    reviewed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = yaml.safe_load(reviewed.read_text())
    data["alignments"].append(
        {"outcome": "LO5", "framework": "case", "id": "case:74f5bb7d", "code": "74f5bb7d",
         "label": "Cite textual evidence", "url": None}
    )  # fmt: skip
    reviewed.write_text(yaml.safe_dump(data, sort_keys=False))
    res = runner.invoke(app, ["export", str(reviewed), "--to", "ob3"])
    assert isinstance(res.exception, ExportError)
    monkeypatch.setattr(sys, "argv", ["align", "export", str(reviewed), "--to", "ob3"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "'Cite textual evidence' (case:74f5bb7d" in err and "no url" in err
    res = runner.invoke(app, ["export", str(reviewed), "--to", "ob3", "--check"])
    assert res.exit_code == 1 and "[alignment-url] Cite textual evidence" in res.stdout


def test_import_badge_round_trip(reviewed: Path, tmp_path: Path) -> None:
    badge = tmp_path / "badge.json"
    assert (
        runner.invoke(app, ["export", str(reviewed), "--to", "ob3", "--out", str(badge)]).exit_code
        == 0
    )
    bare = tmp_path / "bare.yaml"
    bare.write_text((EXAMPLES / "data-analytics.yaml").read_text())
    res = runner.invoke(app, ["import-badge", str(badge), "--into", str(bare)])
    assert res.exit_code == 0, res.output
    assert "4 added" in res.stdout
    back = load_proposal(bare).alignments
    assert {(a.id, a.url) for a in back} == {(a["id"], a["url"]) for a in ALIGNMENTS}
    assert all(a.source == "import" for a in back)
    res = runner.invoke(app, ["import-badge", str(badge), "--into", str(bare)])
    assert "0 added" in res.stdout


def test_unreviewed_fallback_warns(tmp_path: Path, data_dir: Path) -> None:
    with pytest.warns(AlignDataWarning, match="no reviewed alignments"):
        res = runner.invoke(
            app,
            ["export", str(EXAMPLES / "data-analytics.yaml"), "--to", "csv"],
        )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout))
    assert len(df) and not df["reviewed"].any()


def test_ctdl_export_and_its_check(reviewed: Path, tmp_path: Path) -> None:
    org = ["--organization-ctid", "ce-9d30f846-dfa4-4b1c-90fa-9d01238a86ac"]
    res = runner.invoke(app, ["export", str(reviewed), "--to", "ctdl", "--check"])
    assert res.exit_code == 1
    assert "[ctdl-organization]" in res.stdout and "[ctdl-subject-webpage]" in res.stdout
    res = runner.invoke(app, ["export", str(reviewed), "--to", "ctdl", "--check", *org, *URLS])
    assert res.exit_code == 0, res.stdout
    out = tmp_path / "ctdl.json"
    res = runner.invoke(app, ["export", str(reviewed), "--to", "ctdl", "--out", str(out), *org,
                              *URLS, "--registry", "production"])  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert list(data) == ["competencyframework/publishGraph", "credential/publishGraph"]
    cred = data["credential/publishGraph"]["GraphInput"]["@graph"][0]
    assert cred["@id"].startswith("https://credentialengineregistry.org/resources/ce-")
    res = runner.invoke(app, ["export", str(reviewed), "--to", "ctdl", "--registry", "test"])
    assert res.exit_code == 2 and "sandbox, production" in res.output


def test_check_warns_on_unreviewed_and_fails_when_required(reviewed: Path) -> None:
    data = yaml.safe_load(reviewed.read_text())
    data["unreviewed_alignments"] = [{**ALIGNMENTS[1], "outcome": "LO2"}]
    reviewed.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.warns(AlignDataWarning, match="1 unreviewed alignment"):
        res = runner.invoke(app, ["export", str(reviewed), "--to", "ob3", "--check", *URLS])
    assert res.exit_code == 0, res.stdout
    assert "no problems found" in res.stdout and "warning [unreviewed]" in res.stdout
    with pytest.warns(AlignDataWarning):
        res = runner.invoke(
            app, ["export", str(reviewed), "--to", "ob3", "--check", "--require-reviewed", *URLS]
        )
    assert res.exit_code == 1 and "[unreviewed] alignments: 1 of 5" in res.stdout


def test_import_badge_from_csv_keeps_everything(reviewed: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "al.csv"
    res = runner.invoke(app, ["export", str(reviewed), "--to", "csv", "--out", str(csv_file)])
    assert res.exit_code == 0, res.output
    bare = tmp_path / "bare.yaml"
    bare.write_text((EXAMPLES / "data-analytics.yaml").read_text())
    res = runner.invoke(app, ["import-badge", str(csv_file), "--into", str(bare)])
    assert res.exit_code == 0, res.output
    back = {(a.outcome, a.id) for a in load_proposal(bare).alignments}
    assert back == {(a["outcome"], a["id"]) for a in ALIGNMENTS}
    # --out over a file align did not write needs --force
    mine = tmp_path / "mine.yaml"
    mine.write_text("my notes\n")
    args = ["import-badge", str(csv_file), "--into", str(bare), "--out", str(mine)]
    res = runner.invoke(app, args)
    assert isinstance(res.exception, FileExistsError) and mine.read_text() == "my notes\n"
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
