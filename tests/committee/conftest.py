"""Fixtures for committee review tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "data" / "examples"


@pytest.fixture(scope="session")
def frameworks(onet: Any) -> list[Any]:
    from align import load_framework

    return [
        onet,
        load_framework("nace", data_dir="/nonexistent"),
        load_framework("cmc", data_dir="/nonexistent"),
    ]


@pytest.fixture(scope="session")
def reports(frameworks: list[Any], embedder: Any) -> dict[str, Any]:
    """Alignment reports of the example proposals, by file stem."""
    from align import load_proposal, score_alignment

    out = {}
    for name in ("data-analytics", "digital-composition", "interprofessional-practice"):
        p = load_proposal(EXAMPLES / f"{name}.yaml")
        out[name] = (p, score_alignment(p, frameworks, embedder=embedder, n_boot=0))
    return out
