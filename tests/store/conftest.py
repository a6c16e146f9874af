"""Fixtures for the store tests: a store on each backend with one person per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from align import load_proposal
from align.store import Store, User


def proposal(title: str = "Team Leadership", unit: str = "Business", **extra: Any):
    return load_proposal(
        {
            "title": title,
            "issuing_unit": unit,
            "outcomes": [{"id": "LO1", "text": "Lead a project meeting with an agenda"}],
            **extra,
        }
    )


@dataclass
class Cast:
    """One person per role (the office also acts as the admin of the test store)."""

    store: Store
    admin: User
    author: User
    other_author: User
    chair: User
    other_chair: User
    dean: User
    office: User
    reviewer: User
    reviewer2: User
    approver: User


@pytest.fixture
def store(store_url: str) -> Store:
    s = Store(store_url, timeout=5)
    yield s
    s.close()


@pytest.fixture
def cast(store: Store) -> Cast:
    admin = store.add_user("Ada Admin", actor=User.operator("tests"), roles=["admin"])
    add = store.add_user
    return Cast(
        store=store,
        admin=admin,
        author=add("Prof. Author", actor=admin, email="author@uni.edu", department="Business"),
        other_author=add("Dr. Other", actor=admin, department="Nursing"),
        chair=add("Chair Biz", actor=admin, roles=["chair"], department="Business"),
        other_chair=add("Chair Nurse", actor=admin, roles=["chair"], department="Nursing"),
        dean=add("Dean Wide", actor=admin, roles=["dean"]),
        office=add("Olga Office", actor=admin, roles=["office"]),
        reviewer=add(
            "Rev Okafor",
            actor=admin,
            roles=["reviewer"],
            disciplines=["business"],
            department="Economics",
        ),
        reviewer2=add(
            "Rev Lin",
            actor=admin,
            roles=["reviewer"],
            disciplines=["business", "nursing"],
            department="Business",
        ),
        approver=add("Assoc Dean", actor=admin, roles=["approver"]),
    )


def to_review(cast: Cast, p=None) -> str:
    """Create, submit, sign off and assign a proposal; returns its id (in review)."""
    s = cast.store
    p = p or proposal()
    rec = s.create_proposal(p, actor=cast.author)
    s.submit(rec.id, actor=cast.author)
    s.sign_off(rec.id, actor=cast.chair)
    s.assign(rec.id, "business", actor=cast.office)
    return rec.id
