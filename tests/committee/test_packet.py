"""The committee packet: self-contained HTML, escaped user text, screenshots and PDF."""

from __future__ import annotations

import datetime as dt
import warnings
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from align.committee import ReviewStore, committee_packet, find_chromium
from align.exceptions import AlignDataWarning
from align.proposals import load_proposal
from align.store import Store

from .conftest import EXAMPLES

PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(2)>')
EVIL = " ".join(PAYLOADS)


def _chromium() -> str:
    exe = find_chromium()
    if exe is None:
        import os

        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI must render packets: install chromium")
        pytest.skip("chromium not installed")
    return exe


def _packet(name: str, reports: dict[str, Any], **kw: Any) -> Any:
    p, report = reports[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)  # unreviewed alignments
        return committee_packet(p, report, **kw)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _assert_self_contained(page: str) -> None:
    """No scripts, no loaded resources, no event handlers: only clickable http(s) links."""
    parser = _Tags()
    parser.feed(page)
    tags = parser.tags
    names = {t for t, _ in tags}
    assert not names & {"script", "img", "iframe", "link", "object", "embed", "video", "audio"}
    for tag, attrs in tags:
        for key, value in attrs.items():
            assert not key.startswith("on"), (tag, key)
            assert key not in {"src", "srcset", "data", "action", "poster", "background"}
            if key == "href":
                assert str(value).startswith(("https://", "http://")), value
    assert "@import" not in page and "url(" not in page


@pytest.mark.parametrize(
    "name", ["data-analytics", "digital-composition", "interprofessional-practice"]
)
def test_packet_for_each_example_renders(
    name: str, reports: dict[str, Any], tmp_path: Path
) -> None:
    from PIL import Image

    packet = _packet(name, reports)
    page = packet.to_html()
    _assert_self_contained(page)
    p = reports[name][0]
    assert f"Committee packet: {p.title}" in page.replace("&#x27;", "'")
    assert "Rubric evidence" in page and "Sources and attribution" in page
    # attribution for every framework used, e.g. O*NET's CC BY line
    assert "used under the CC BY 4.0 license" in page
    assert "National Association of Colleges and Employers" in page
    assert "Competency Model Clearinghouse" in page
    assert "<svg" in page  # charts inline
    # plain labels, not field names
    assert "demand_coverage" not in page and "issuing_unit" not in page
    png = packet.write_png(tmp_path / f"{name}.png", chromium=_chromium(), height=1600)
    img = Image.open(png).convert("L")
    assert img.size == (1200, 1600)
    lo, hi = img.getextrema()
    assert hi - lo > 100  # text on a page, not a blank image
    dark = sum(img.histogram()[:128]) / (img.size[0] * img.size[1])
    assert 0.005 < dark < 0.5


def test_packet_pdf(reports: dict[str, Any], tmp_path: Path) -> None:
    pdf = _packet("data-analytics", reports).write_pdf(tmp_path / "p.pdf", chromium=_chromium())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000


def _members() -> list[Any]:
    """Member badges of the example stacks: files in ipcp/ and analytics/, and the inline
    badges of experiential-series.yaml."""
    from align.proposals import load_stack

    files = sorted((EXAMPLES / "ipcp").glob("*.yaml")) + sorted(
        (EXAMPLES / "analytics").glob("*.yaml")
    )
    return [load_proposal(f) for f in files] + load_stack(
        EXAMPLES / "experiential-series.yaml"
    ).credentials


@pytest.mark.parametrize("proposal", _members(), ids=lambda p: p.id)
def test_packet_for_each_member_badge(proposal: Any, frameworks: list[Any], embedder: Any) -> None:
    from align import score_alignment

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        report = score_alignment(proposal, frameworks, embedder=embedder, n_boot=0)
        packet = committee_packet(proposal, report)
    page = packet.to_html()
    _assert_self_contained(page)
    assert "Rubric evidence" in page


def test_every_user_field_is_escaped(reports: dict[str, Any], tmp_path: Path) -> None:
    p, report = reports["data-analytics"]
    evil = p.model_copy(
        update={
            "id": f"id {EVIL}",
            "title": f"Title {EVIL}",
            "description": f"Description {EVIL}",
            "issuing_unit": f"Unit {EVIL}",
            "type": f"type {EVIL}",
            "region": f"Region {EVIL}",
            "stacks_into": [f"Stack {EVIL}"],
            "expiry": dt.date(2029, 1, 1),
            "outcomes": [
                o.model_copy(
                    update={
                        "id": f"{o.id} {EVIL}",
                        "text": f"{o.text} {EVIL}",
                        "assessment": f"rubric {EVIL}",
                        "evidence": f"artifact {EVIL}",
                    }
                )
                for o in p.outcomes
            ],
            "partners": [
                x.model_copy(update={"name": f"Partner {EVIL}", "role": f"role {EVIL}"})
                for x in p.partners
            ],
            "endorsements": [
                x.model_copy(update={"by": f"Endorser {EVIL}", "statement": f"says {EVIL}"})
                for x in p.endorsements
            ],
        }
    )
    alignments = [
        {
            "outcome": f"{p.outcomes[0].id} {EVIL}",
            "framework": f"fw {EVIL}",
            "framework_version": f"v {EVIL}",
            "id": f"x:{EVIL}",
            "code": f"code {EVIL}",
            "label": f"Label {EVIL}",
            "url": 'https://example.org/"><script>alert(3)</script>',
            "description": f"Description {EVIL}",
            "status": "accepted",
            "source": "search",
        },
        {
            "outcome": None,
            "framework": "nace",
            "id": "nace:x",
            "label": f"Label2 {EVIL}",
            "url": "javascript:alert(4)",
        },
    ]
    from align.exports._alignments import gather_alignments

    found = gather_alignments(evil, alignments=alignments)
    db = Store(tmp_path / "r.sqlite")
    me = db.local_user()
    evil.id = db.create_proposal(evil, actor=me).id  # ids in the store are URL-safe slugs
    db.submit(evil.id, actor=me)
    db.sign_off(evil.id, actor=me)
    db.add_user(f"Chair {EVIL}", actor=me, roles=["office", "approver"])
    store = ReviewStore(db, actor=f"Chair {EVIL}")
    store.add_reviewer(f"Reviewer {EVIL}", [f"disc {EVIL}"])
    store.assign(evil.id, f"disc {EVIL}")
    store.record_review(
        evil.id,
        f"Reviewer {EVIL}",
        {"outcomes": (3, f"comment {EVIL}"), "partners": (1, f"more {EVIL}")},
        comment=f"overall {EVIL}",
    )
    store.add_feedback(evil.id, f"Feedback {EVIL}")
    store.record_decision(
        evil.id,
        "approved",
        dt.date.today(),
        by=f"Chair {EVIL}",
        body=f"Senate {EVIL}",
        note=f"Note {EVIL}",
    )
    page = committee_packet(evil, report, alignments=found, store=store).to_html()
    _assert_self_contained(page)
    low = page.lower()
    assert "onerror=alert" not in low.replace("onerror=alert(2)&gt;", "")
    assert 'href="javascript' not in low
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    # every field made it onto the page, escaped
    for marker in (
        "Title",
        "Description",
        "Unit",
        "Region",
        "Stack",
        "rubric",
        "artifact",
        "Partner",
        "role",
        "Endorser",
        "says",
        "Label",
        "Label2",
        "code",
        "Reviewer",
        "disc",
        "comment",
        "overall",
        "Feedback",
        "Chair",
        "Senate",
        "Note",
    ):
        assert f"{marker} &lt;script&gt;" in page, marker
    # a URL carrying markup breaks the URL policy: shown as text, never made a link
    assert 'href="https://example.org/' not in page
