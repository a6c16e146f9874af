"""Proposal and Stack models: examples load, round-trips, and errors a faculty member reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from align import AlignDataWarning, Proposal, ProposalError, Stack, load_proposal
from align.proposal import load_stack

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "data" / "examples"
DATA = Path(__file__).resolve().parents[1] / "data" / "proposals"


def _proposal_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*.yaml") if "members:" not in p.read_text())


def test_every_example_proposal_loads() -> None:
    files = _proposal_files()
    assert {p.name for p in files} >= {
        "data-analytics.yaml",
        "digital-composition.yaml",
        "interprofessional-practice.yaml",
    }
    for path in files:
        p = load_proposal(path)
        assert p.outcomes, path
        assert p.source == str(path)
        assert all(o.evidence for o in p.outcomes), path


def test_example_stacks_load_with_members() -> None:
    ipcp = load_stack(EXAMPLES / "ipcp-stack.yaml")
    assert [c.id for c in ipcp.credentials] == [
        "ipcp-roles",
        "ipcp-communication",
        "ipcp-care-planning",
    ]
    assert ipcp.threshold_credits == 3
    data = load_stack(EXAMPLES / "data-analytics-stack.yaml")
    assert data.target == "onet:15-2051.00" and data.threshold_credits == 12
    assert [c.id for c in data.credentials][-1] == "data-analytics-pt"
    series = load_stack(EXAMPLES / "experiential-series.yaml")
    assert len(series.credentials) == 3
    assert all(c.type == "enhancement" for c in series.credentials)


def test_data_analytics_fields() -> None:
    p = load_proposal(EXAMPLES / "data-analytics.yaml")
    assert p.type == "post-traditional"
    assert p.target_occupations == ["15-2051.00", "15-2051.01"]
    assert {x.level for x in p.partners} == {"low", "mid"}
    assert p.expiry is not None and p.expiry.year == 2029


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_dump_and_load_round_trip(tmp_path: Path, suffix: str) -> None:
    p = load_proposal(EXAMPLES / "interprofessional-practice.yaml")
    out = p.dump(tmp_path / f"copy{suffix}")
    again = load_proposal(out)
    assert again.to_dict() == p.to_dict()
    if suffix == ".json":
        assert json.loads(out.read_text())["title"] == p.title


texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1
).filter(lambda t: t.strip() != "")


@settings(max_examples=40, deadline=None)
@given(
    title=texts.filter(lambda t: len(t.strip()) >= 3),
    outcomes=st.lists(texts, min_size=1, max_size=4),
    credits=st.integers(0, 20),
)
def test_yaml_round_trip_property(title: str, outcomes: list[str], credits: int) -> None:
    p = Proposal(
        title=title,
        issuing_unit="Unit",
        credits=credits,
        outcomes=[{"id": f"LO{i}", "text": t} for i, t in enumerate(outcomes)],
    )
    again = load_proposal(yaml.safe_load(p.to_yaml()))
    assert again.to_dict() == p.to_dict()


def test_invalid_yaml_names_file_and_line() -> None:
    with pytest.raises(ProposalError) as err:
        load_proposal(DATA / "invalid.yaml")
    msg = str(err.value)
    assert "invalid.yaml" in msg and "not valid YAML" in msg and "line 6" in msg


def test_bad_fields_each_explained() -> None:
    with pytest.raises(ProposalError) as err:
        load_proposal(DATA / "bad_fields.yaml")
    msg = str(err.value)
    assert "bad_fields.yaml" in msg
    assert "field 'credits': found 'three'; expected a number" in msg
    assert "did you mean 'evidence'?" in msg
    assert "'budget-analyst' is not an O*NET-SOC code" in msg
    assert "expected a date like" in msg


def test_empty_outcomes_is_an_error() -> None:
    with pytest.raises(ProposalError, match="has no learning outcomes"):
        load_proposal(DATA / "no_outcomes.yaml")


def test_blank_outcome_is_dropped_with_warning() -> None:
    data = {
        "title": "Budgeting",
        "issuing_unit": "X",
        "outcomes": [{"id": "LO1", "text": "Build a budget"}, {"id": "LO2", "text": "  "}],
    }
    with pytest.warns(AlignDataWarning, match=r"\['LO2'\] have no text"):
        p = load_proposal(data)
    assert [o.id for o in p.outcomes] == ["LO1"]


def test_negative_credits_and_duplicate_ids() -> None:
    with pytest.raises(ProposalError, match="credits"):
        load_proposal(
            {
                "title": "Budgeting",
                "issuing_unit": "X",
                "credits": -1,
                "outcomes": [{"id": "A", "text": "Build"}],
            }
        )
    with pytest.raises(ProposalError, match="two outcomes share the id 'A'"):
        load_proposal(
            {
                "title": "Budgeting",
                "issuing_unit": "X",
                "outcomes": [{"id": "A", "text": "Build"}, {"id": "A", "text": "Plan"}],
            }
        )


def test_missing_file_and_wrong_shape(tmp_path: Path) -> None:
    with pytest.raises(ProposalError, match="does not exist"):
        load_proposal(tmp_path / "nope.yaml")
    f = tmp_path / "list.yaml"
    f.write_text("- just\n- a list\n")
    with pytest.raises(ProposalError, match="should hold fields like 'title:'"):
        load_proposal(f)


def test_soc_codes_are_normalised() -> None:
    p = Proposal(title="Data", issuing_unit="X", target_occupations=["onet:15-2051", "13-2011.00"])
    assert p.target_occupations == ["15-2051.00", "13-2011.00"]


def test_stack_paths_and_inline_members() -> None:
    s = load_stack(DATA / "stack.yaml")
    assert isinstance(s, Stack)
    assert [c.title for c in s.credentials] == ["Spreadsheet Budgeting", "Forecasting Basics"]


def test_stack_member_error_names_member(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("title: My stack\nmembers:\n  - title: Ok title\n    credits: lots\n")
    with pytest.raises(ProposalError) as err:
        load_stack(f)
    assert "stack member 1" in str(err.value) and "issuing_unit" in str(err.value)
    f.write_text("title: My stack\nmembers: []\n")
    with pytest.raises(ProposalError, match="lists no credentials"):
        load_stack(f)


# -- reviewed alignments and saving ---------------------------------------------------
def _reviewed() -> dict:
    return {
        "title": "Budget Basics",
        "issuing_unit": "Business",
        "outcomes": [{"id": "LO1", "text": "Build a departmental budget", "evidence": "file"}],
        "alignments": [
            {
                "outcome": "LO1",
                "framework": "onet",
                "framework_version": 29.3,  # unquoted in YAML: read as text
                "id": "onet:2.A.1.a",
                "code": "2.A.1.a",
                "label": "Reading Comprehension",
                "url": "https://www.onetonline.org/",
                "score": 0.61,
                "status": "accepted",
                "source": "matcher",
                "reviewed_by": "A. Reviewer",
                "reviewed_at": "2026-11-29T10:00:00",
            },
            {
                "outcome": None,
                "framework": "nace",
                "id": "nace:teamwork",
                "label": "Teamwork",
                "status": "rejected",
                "source": "search",
            },
        ],
    }


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_load_save_load_round_trips_with_alignments(tmp_path: Path, suffix: str) -> None:
    from align import ReviewedAlignment, save_proposal

    first = load_proposal(_reviewed())
    assert first.alignments[0].framework_version == "29.3"
    assert isinstance(first.alignments[0], ReviewedAlignment)
    path = save_proposal(first, tmp_path / f"p{suffix}")
    second = load_proposal(path)
    assert second.to_dict() == first.to_dict()
    assert second.alignments == first.alignments
    again = load_proposal(save_proposal(second, tmp_path / f"q{suffix}"))
    assert again.to_dict() == second.to_dict()
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed, not left


def test_proposal_without_alignments_defaults_to_empty() -> None:
    p = load_proposal({k: v for k, v in _reviewed().items() if k != "alignments"})
    assert p.alignments == []
    assert "alignments" in p.to_dict()


def test_alignment_to_an_unknown_outcome_is_a_plain_error() -> None:
    data = _reviewed()
    data["alignments"][0]["outcome"] = "LO9"
    with pytest.raises(ProposalError, match="LO9"):
        load_proposal(data)


def test_alignment_status_is_checked() -> None:
    data = _reviewed()
    data["alignments"][0]["status"] = "maybe"
    with pytest.raises(ProposalError, match="status"):
        load_proposal(data)


def test_save_replaces_atomically_and_keeps_the_old_file_on_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from align import save_proposal

    p = load_proposal(_reviewed())
    path = save_proposal(p, tmp_path / "p.yaml")
    before = path.read_text("utf-8")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    changed = p.model_copy(update={"title": "Another Title"})
    with pytest.raises(OSError, match="disk full"):
        save_proposal(changed, path)
    assert path.read_text("utf-8") == before
    assert [f.name for f in tmp_path.iterdir()] == ["p.yaml"]


def test_save_into_a_missing_folder_names_it(tmp_path: Path) -> None:
    from align import save_proposal

    with pytest.raises(ProposalError, match="does not exist"):
        save_proposal(load_proposal(_reviewed()), tmp_path / "nope" / "p.yaml")


def test_stack_reads_member_files_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from align.proposals import _model

    stack = load_stack(DATA / "stack.yaml")
    calls: list[object] = []
    real = _model.load_proposal

    def counting(source: object) -> object:
        calls.append(source)
        return real(source)  # type: ignore[arg-type]

    monkeypatch.setattr(_model, "load_proposal", counting)
    first = stack.credentials
    n = len(calls)
    assert stack.credentials == first
    assert len(calls) == n  # the second access read no file
