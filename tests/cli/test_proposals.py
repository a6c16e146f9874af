"""`align check` / `align gaps` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from align import ProposalError
from align.cli import app, main
from align.proposals import load_policy

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"
DATA = Path(__file__).resolve().parents[1] / "data" / "proposals"
runner = CliRunner()


def test_check_example_passes() -> None:
    res = runner.invoke(app, ["check", str(EXAMPLES / "data-analytics.yaml"), "--no-align"])
    assert res.exit_code == 0, res.output
    assert "meets the policy" in res.output


def test_check_failing_proposal_exits_1(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text((DATA / "valid.yaml").read_text().replace("credits: 1", "credits: 14"))
    res = runner.invoke(app, ["check", str(f), "--no-align"])
    assert res.exit_code == 1
    assert "does not meet the policy" in res.output
    res = runner.invoke(app, ["check", str(f), "--no-align", "--format", "json"])
    assert res.exit_code == 1
    assert json.loads(res.stdout)["passed"] is False


def test_check_help_mentions_exit_code() -> None:
    res = runner.invoke(app, ["check", "--help"])
    assert "Exit code 0 when no check fails" in res.output


def test_show_policy_round_trips(tmp_path: Path) -> None:
    res = runner.invoke(app, ["check", "--show-policy"])
    assert res.exit_code == 0
    f = tmp_path / "pol.yaml"
    f.write_text(res.stdout)
    assert load_policy(f) == load_policy()


def test_check_with_custom_policy(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "check",
            str(DATA / "valid.yaml"),
            "--no-align",
            "--policy",
            str(DATA / "policy_strict.yaml"),
        ],
    )
    assert res.exit_code == 1  # 1 credit < the strict policy's minimum of 2
    assert "2-4 credits" in res.output.replace("\n", " ")


def test_invalid_yaml_gives_plain_error_and_exit_2(monkeypatch, capsys) -> None:
    res = runner.invoke(app, ["check", str(DATA / "invalid.yaml"), "--no-align"])
    assert isinstance(res.exception, ProposalError)
    monkeypatch.setattr(sys, "argv", ["align", "check", str(DATA / "invalid.yaml"), "--no-align"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "not valid YAML" in err and "line 6" in err


def test_gaps_json() -> None:
    res = runner.invoke(app, ["gaps", str(DATA / "stack.yaml"), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["target"] == "outcomes of 'Financial Planning'"
    assert data["credits"] == 2 and data["threshold"] == 3
    assert all(s["suggestion"] for s in data["suggestions"])


def test_gaps_table_explains() -> None:
    res = runner.invoke(app, ["gaps", str(DATA / "stack.yaml")])
    assert res.exit_code == 0, res.output
    for text in ("Coverage matrix", "Largest gaps", "Suggested order", "Suggested next"):
        assert text in res.output
