"""Fixtures for the badge exporters: real competencies, the official standards files."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import pytest

from align.exceptions import AlignDataWarning

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "data" / "examples"
PROPOSAL_FILES = sorted(
    p
    for p in [*EXAMPLES.glob("*.yaml"), *EXAMPLES.glob("*/*.yaml")]
    if "stack" not in p.name and p.name != "experiential-series.yaml"
)


def standards_path() -> Path | None:
    """../shared/standards: next to ALIGN_DATA_DIR (as CI lays it out)."""
    data = os.environ.get("ALIGN_DATA_DIR")
    base = Path(data).resolve().parent if data else REPO.parent / "shared"
    path = base / "standards"
    return path if (path / "ob-v3p0").is_dir() else None


@pytest.fixture(scope="session")
def standards() -> Path:
    """The official standards folder; in CI its absence fails the run."""
    path = standards_path()
    if path is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI must validate exports: put the standards at ../shared/standards")
        pytest.skip("standards not found: expected ../shared/standards next to ALIGN_DATA_DIR")
    return path


@pytest.fixture(scope="session")
def ob3_validator(standards: Path) -> Any:
    import jsonschema

    schema = json.loads((standards / "ob-v3p0/schema/achievementcredential.json").read_text())
    return jsonschema.Draft201909Validator(schema)


@pytest.fixture(scope="session")
def case_validator(standards: Path) -> Any:
    import jsonschema

    schema = json.loads(
        (standards / "case-v1p1/schema/case_v1p1_cfpackage_schema.json").read_text()
    )
    return jsonschema.Draft201909Validator(schema)


@pytest.fixture(scope="session")
def offline_loader(standards: Path) -> Any:
    """A pyld document loader that serves only the shipped contexts: no network."""
    from pyld import jsonld

    files = {
        "https://www.w3.org/ns/credentials/v2": "w3c-vc/credentials-v2.jsonld",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": (
            "ob-v3p0/context/context-3.0.3.json"
        ),
        "https://w3id.org/openbadges/v2": "ob-v2p0/context-v2.json",
    }
    requested: list[str] = []

    def loader(url: str, options: Any = None) -> dict[str, Any]:
        requested.append(url)
        if url not in files:
            raise jsonld.JsonLdError(
                f"offline test loader: {url} is not a shipped context",
                "jsonld.LoadDocumentError",
                {"url": url},
                code="loading document failed",
            )
        doc = json.loads((standards / files[url]).read_text())
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": doc,
        }

    loader.requested = requested  # type: ignore[attr-defined]
    return loader


@pytest.fixture(scope="session")
def nace():
    from align import load_framework

    return load_framework("nace", data_dir="/nonexistent")


@pytest.fixture(scope="session")
def cmc():
    from align import load_framework

    return load_framework("cmc", data_dir="/nonexistent")


def _alignment(fw: Any, cid: str, outcome: str | None) -> dict[str, Any]:
    row = fw.competencies.set_index("id").loc[cid]
    return {
        "outcome": outcome,
        "framework": fw.key,
        "framework_version": fw.info.version,
        "id": cid,
        "code": str(row["code"]),
        "label": str(row["label"]),
        "url": str(row["url"]),
        "description": str(row["description"]) or None,
        "score": 0.61,
        "status": "accepted",
        "source": "matcher",
        "reviewed_by": "Prof. Rivera",
        "reviewed_at": "2026-11-20T10:00:00",
    }


@pytest.fixture(scope="session")
def reviewed(onet: Any, nace: Any, cmc: Any) -> list[dict[str, Any]]:
    """Reviewed alignments of data-analytics.yaml, built from the real frameworks."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlignDataWarning)
        return [
            _alignment(onet, "onet:2.A.2.a", "LO3"),  # Critical Thinking (skill)
            _alignment(onet, "onet:2.A.1.b", "LO5"),  # Active Listening
            _alignment(onet, "onet:2.A.1.d", "LO5"),  # Speaking
            _alignment(nace, "nace:communication", "LO5"),
            _alignment(nace, "nace:teamwork", "LO6"),
            _alignment(cmc, "cmc:tier1.interpersonal_skills", "LO6"),
            _alignment(onet, "onet:2.A.2.a", None),
            {**_alignment(nace, "nace:leadership", "LO6"), "status": "rejected"},
        ]


@pytest.fixture(scope="session")
def scored_report(onet: Any, nace: Any, cmc: Any, embedder: Any) -> Any:
    """The alignment report of data-analytics.yaml."""
    from align import load_proposal, score_alignment

    p = load_proposal(EXAMPLES / "data-analytics.yaml")
    return score_alignment(p, [onet, nace, cmc], embedder=embedder)
