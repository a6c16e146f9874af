"""Export -> import-badge -> export gives the same alignments, in every format that carries them.

Property tests (hypothesis) draw alignments from the real frameworks (O*NET
skills, DWAs, tasks and technology examples, NACE competencies and sample
behaviours, CMC, ESCO, Lightcast), attach them to outcomes or to the credential
as a whole, mark some unreviewed, and sometimes give them hostile names
(Markdown, HTML, spreadsheet formulas, brackets). For each format:

- the import keeps every competency id, outcome link and review state the
  format can carry (Credly has no outcomes; Credly's review state is the
  badge's tag);
- importing into a proposal and exporting again gives the same alignments;
- importing the same badge twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from align.exceptions import AlignDataWarning
from align.exports import (
    PUBLISH_ENDPOINTS,
    BadgeOptions,
    add_alignments,
    export_badge,
    import_badge_alignments,
)
from align.exports._readers import narrative_links
from align.proposals import load_proposal

from .conftest import EXAMPLES

FORMATS = ["ob3", "ob2", "credly", "case", "csv", "ctdl"]
#: Formats whose review state is per alignment (the others: the badge's tag).
PER_ITEM = {"ob3", "ob2", "case", "csv", "ctdl"}
OPTIONS = BadgeOptions(
    issuer_url="https://badges.example.edu/issuers/1",
    base_url="https://badges.example.edu",
    criteria_url="https://badges.example.edu/criteria/1",
    organization_ctid="ce-9d30f846-dfa4-4b1c-90fa-9d01238a86ac",
)
HOSTILE = [
    '=HYPERLINK("http://evil.example.com","x")',
    "<script>alert(1)</script> skill",
    "[click](javascript:alert(1)) **bold** _it_",
    "Data & AI; Python [3] `code` ~strike~ | pipe",
    "'quoted' @SUM(A1) +cmd",
    "Écoute active \\ backslash",
]


@pytest.fixture(scope="module")
def proposal() -> Any:
    return load_proposal(EXAMPLES / "data-analytics.yaml")


@pytest.fixture(scope="module")
def loaded(onet: Any, esco: Any, nace: Any, cmc: Any, data_dir: Any) -> list[Any]:
    from align import load_framework

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        return [onet, esco, nace, cmc, load_framework("lightcast", data_dir=data_dir)]


@pytest.fixture(scope="module")
def pool(loaded: list[Any]) -> list[dict[str, Any]]:
    """Real competencies of every framework and kind, as alignments."""
    onet, esco, nace, cmc, lightcast = loaded
    picks = []
    for fw, kinds in (
        (onet, ["skill", "knowledge", "work_activity", "dwa", "iwa", "task", "technology"]),
        (nace, ["competency", "behaviour"]),
        (cmc, ["competency"]),
        (esco, ["skill", "knowledge"]),
        (lightcast, ["skill"]),
    ):
        comps = fw.competencies
        for kind in kinds:
            rows = comps[comps["kind"] == kind].head(3)
            for row in rows.itertuples(index=False):
                picks.append(
                    {
                        "framework": fw.key,
                        "framework_version": fw.info.version,
                        "id": row.id,
                        "code": str(row.code),
                        "label": str(row.label),
                        "url": str(row.url),
                        "description": str(row.description) or None,
                    }
                )
    return picks


def _alignments(data: Any, pool: list[dict[str, Any]], outcomes: list[str]) -> list[dict]:
    chosen = data.draw(
        st.lists(st.sampled_from(pool), min_size=1, max_size=8, unique_by=lambda a: a["id"])
    )
    out = []
    for comp in chosen:
        links = data.draw(
            st.lists(st.sampled_from([None, *outcomes]), min_size=1, max_size=2, unique=True)
        )
        label = comp["label"]
        if data.draw(st.integers(0, 4)) == 0:
            # (names differ between competencies, as in the frameworks)
            label = f"{data.draw(st.sampled_from(HOSTILE))} {comp['id'][-12:]}"
        for outcome in links:
            # one link of a competency may be reviewed while another is not
            pending = data.draw(st.booleans())
            out.append(
                {
                    **comp,
                    "label": label,
                    "outcome": outcome,
                    "status": "unreviewed" if pending else "accepted",
                }
            )
    return out


def _parse(fmt: str, text: str) -> Any:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    return json.loads(text)


def _view(fmt: str, text: str) -> Any:
    """The alignments a format carries, order-free (and without export timestamps)."""
    data = _parse(fmt, text)
    dump = lambda x: json.dumps(x, sort_keys=True)  # noqa: E731
    if fmt == "csv":
        return sorted(dump(r) for r in data)
    if fmt in {"ob3", "ob2"}:
        bc = data["credentialSubject"]["achievement"] if fmt == "ob3" else data
        links = narrative_links(bc["criteria"]["narrative"])
        return (
            sorted(dump(a) for a in bc["alignment"]),
            sorted(
                dump([rd["id"], sorted(dump(a) for a in rd.get("alignment", []))])
                for rd in bc.get("resultDescription", [])
            ),
            sorted(dump([k, sorted((str(o), p) for o, p in v.items())]) for k, v in links.items()),
            sorted(bc.get("tag", bc.get("tags", []))),
        )
    if fmt == "credly":
        return (sorted(dump(a) for a in data["alignments"]), sorted(data["reporting_tags"]))
    if fmt == "ctdl":
        cred = data[PUBLISH_ENDPOINTS[1]]["GraphInput"]["@graph"][0]
        return sorted(
            dump([p["ceterms:name"], sorted(dump(c) for c in p["ceterms:targetCompetency"])])
            for p in cred["ceterms:requires"]
        )
    items = sorted(
        dump({k: v for k, v in i.items() if k != "lastChangeDateTime"}) for i in data["CFItems"]
    )
    assoc = sorted(
        dump([a["associationType"], a["originNodeURI"]["uri"], a["destinationNodeURI"]["uri"]])
        for a in data["CFAssociations"]
    )
    return items, assoc, sorted(map(dump, data["CFDocument"]["extensions"]["align"]["unreviewed"]))


def _export(proposal: Any, fmt: str, alignments: Any = None, frameworks: Any = None) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)  # "unreviewed" is the point here
        return export_badge(
            proposal, fmt, alignments=alignments, options=OPTIONS, frameworks=frameworks
        )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
@pytest.mark.parametrize("fmt", FORMATS)
def test_export_import_export(
    fmt: str, data: Any, proposal: Any, pool: list[dict], loaded: list[Any]
) -> None:
    outcomes = [o.id for o in proposal.outcomes]
    al = _alignments(data, pool, outcomes)
    first = _export(proposal, fmt, al, loaded)
    back = import_badge_alignments(_parse(fmt, first))
    expected = {(a["outcome"], a["id"], a["status"]) for a in al}
    if fmt not in PER_ITEM:
        state = "unreviewed" if any(a["status"] == "unreviewed" for a in al) else "accepted"
        expected = {(o, i, state) for o, i, _ in expected}
    if fmt == "credly":  # no outcomes in a Credly template
        expected = {(None, i, s) for _, i, s in expected}
    assert {(a.outcome, a.id, a.status) for a in back} == expected
    bare = proposal.model_copy(update={"alignments": [], "unreviewed_alignments": []})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        filled = add_alignments(bare, back)
    assert add_alignments(filled, back) == filled  # importing twice changes nothing
    second = _export(filled, fmt, frameworks=loaded)
    assert _view(fmt, second) == _view(fmt, first)


def test_unreviewed_badge_never_becomes_accepted(
    proposal: Any, pool: list[dict], loaded: list[Any]
) -> None:
    """The matcher's suggestions exported and read back stay unreviewed, in every format,
    and go to the proposal's unreviewed alignments (the score ignores them)."""
    al = [{**a, "outcome": "LO1", "status": "unreviewed"} for a in pool[:4]]
    for fmt in FORMATS:
        back = import_badge_alignments(_parse(fmt, _export(proposal, fmt, al, loaded)))
        assert {a.status for a in back} == {"unreviewed"}, fmt
        bare = proposal.model_copy(update={"alignments": []})
        q = add_alignments(bare, back)
        assert q.alignments == [] and len(q.unreviewed_alignments) == 4, fmt
        # a faculty decision already in the proposal is never overridden by an import
        decided = bare.model_copy(
            update={"alignments": [back[0].model_copy(update={"status": "rejected"})]}
        )
        q = add_alignments(decided, back)
        assert [a.status for a in q.alignments] == ["rejected"]
        assert back[0].id not in {a.id for a in q.unreviewed_alignments}
