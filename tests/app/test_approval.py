"""The approval path in the dashboard: sign-in, the pages each role sees, each role's step,
and every refusal (a proposal the person may not see, a step their role does not allow)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from tests.app.conftest import SMALL
from tests.app.test_pages import ok, text_of, upload

pytestmark = [pytest.mark.slow, pytest.mark.realdata]

PEOPLE = {
    "chen@uni.edu": ("Prof. Chen", ["author"], "Continuing Studies", []),
    "other@uni.edu": ("Dr. Other", ["author"], "Nursing", []),
    "chair@uni.edu": ("Chair Cs", ["chair"], "Continuing Studies", []),
    "nursechair@uni.edu": ("Chair Nursing", ["chair"], "Nursing", []),
    "office@uni.edu": ("Olga Office", ["office"], "", []),
    "okafor@uni.edu": ("Rev Okafor", ["reviewer"], "Economics", ["business"]),
    "lin@uni.edu": ("Rev Lin", ["reviewer"], "Continuing Studies", ["business"]),
    "dean@uni.edu": ("Dean Park", ["approver"], "", []),
    "admin@uni.edu": ("Ada Admin", ["admin"], "", []),
}


@pytest.fixture
def people(store):
    from align.store import User

    op = User.operator("tests")
    for email, (name, roles, dept, disc) in PEOPLE.items():
        store.add_user(name, actor=op, email=email, roles=roles, department=dept,
                       disciplines=disc)  # fmt: skip
    return store


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def pages_of(at) -> set[str]:
    """The pages the person's navigation holds (those AppTest can switch to)."""
    names = ["proposals", "proposal", "matches", "alignment", "stack", "policy", "export",
             "signoff", "assign", "review", "decide", "portfolio", "audit", "people"]  # fmt: skip
    found = set()
    for n in names:
        try:
            at.switch_page(f"app_pages/{n}.py")
        except ValueError:
            continue
        found.add(n)
    return found


def submitted(make_app, small_yaml) -> None:
    """Prof. Chen uploads the small proposal and submits it."""
    at = make_app("proposal", user="chen@uni.edu")
    upload(at, small_yaml, "sql.yaml")
    ok(at)
    at.button(key="submit_proposal").click().run()
    ok(at)
    assert "Submitted SQL for Analysts for sign-off" in text_of(at)


def test_a_signed_out_visitor_sees_only_the_sign_in_page(make_app, people) -> None:
    at = make_app(user="", proposal="sql-badge")
    ok(at)
    assert pages_of(at) == set()
    assert "Sign in with your university account" in [b.label for b in at.button]
    assert "SQL" not in text_of(at)


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("chen@uni.edu", {"proposals", "proposal", "matches", "alignment", "stack", "policy",
                          "export"}),
        ("chair@uni.edu", {"proposals", "signoff"}),
        ("office@uni.edu", {"proposals", "proposal", "matches", "alignment", "stack", "policy",
                            "export", "assign", "portfolio", "audit"}),
        ("okafor@uni.edu", {"proposals", "review"}),
        ("dean@uni.edu", {"proposals", "decide"}),
        ("admin@uni.edu", {"proposals", "audit", "people"}),
        ("newcomer@uni.edu", {"proposals", "proposal", "matches", "alignment", "stack", "policy",
                              "export"}),
    ],
)  # fmt: skip
def test_each_role_sees_its_pages(make_app, people, email: str, expected: set[str]) -> None:
    at = make_app(user=email)
    ok(at)
    assert pages_of(at) == expected
    if email == "newcomer@uni.edu":  # a first sign-in joins as an author
        assert people.user("Newcomer").roles == {"author"}


def test_every_role_does_its_part(make_app, people, small_yaml) -> None:
    from align.store import User

    op = User.operator("tests")
    submitted(make_app, small_yaml)
    # the chair of the department signs it off
    at = make_app("signoff", user="chair@uni.edu")
    ok(at)
    assert at.selectbox(key="so_pick").value == "sql-badge"
    assert "Workforce alignment" in [m.label for m in at.metric]
    at.text_area(key="so_comment").set_value("Fits our continuing-education plan.")
    button(at, "Sign off").click().run()
    ok(at)
    assert "Nothing waits for your sign-off" in text_of(at)
    # the office declares a conflict and assigns the business reviewers
    at = make_app("assign", user="office@uni.edu")
    at.selectbox(key="as_discipline").set_value("business").run()
    cands = next(d.value for d in at.dataframe if "conflict" in d.value.columns)
    assert cands.set_index("name").loc["Rev Okafor", "conflict"] == ""
    at.selectbox(key="cf_reviewer").set_value("Rev Lin").run()
    at.radio(key="cf_scope").set_value("every proposal of a department")
    at.text_input(key="cf_reason").set_value("same department")
    at.button(key="cf_go").click().run()
    ok(at)
    at.selectbox(key="as_discipline").set_value("business").run()
    cands = next(d.value for d in at.dataframe if "conflict" in d.value.columns)
    assert cands.set_index("name").loc["Rev Lin", "conflict"] == "same department"
    at.button(key="as_go").click().run()
    ok(at)
    assert "Assigned: Rev Okafor" in text_of(at)
    # the reviewer rates it with align's evidence beside each criterion
    at = make_app("review", user="okafor@uni.edu")
    ok(at)
    text = text_of(at)
    assert "align suggests" in text and "Clear, measurable learning outcomes" in text
    at.selectbox(key="rv_sql-badge_labor_market_rating").set_value(1)
    at.text_area(key="rv_sql-badge_labor_market_comment").set_value("No postings period.")
    at.text_area(key="rv_sql-badge_overall").set_value("Solid; date the demand.")
    button(at, "Submit my review").click().run()
    ok(at)
    assert "Your review of SQL for Analysts is recorded" in text_of(at)
    # the office sends the committee's feedback (a draft from the ratings is offered)
    at = make_app("assign", user="office@uni.edu")
    draft = at.text_area(key="fb_text_sql-badge").value
    assert "Rev Okafor: No postings period." in draft and "Solid; date the demand." in draft
    at.button(key="fb_send").click().run()
    ok(at)
    assert "Feedback sent for SQL for Analysts" in text_of(at)
    # the approver decides
    at = make_app("decide", user="dean@uni.edu")
    ok(at)
    assert "Solid; date the demand." in text_of(at)
    at.radio(key="dc_decision").set_value("approved-with-changes")
    at.text_area(key="dc_note").set_value("Name the postings period.")
    button(at, "Record the decision").click().run()
    ok(at)
    assert "approved-with-changes on" in text_of(at)
    # the author sees the feedback and the decision, and every step with who took it
    at = make_app(user="chen@uni.edu")
    ok(at)
    text = text_of(at)
    assert "approved-with-changes" in text and "Name the postings period." in text
    hist = next(d.value for d in at.dataframe if "to_status" in d.value.columns)
    assert hist["actor"].tolist() == ["Prof. Chen", "Chair Cs", "Olga Office", "Olga Office",
                                      "Dean Park"]  # fmt: skip
    assert people.proposal("sql-badge", actor=op).status == "approved-with-changes"
    # the committee packet carries the ratings, comments and decision
    from app_pages import _state

    at.button(key="pl_open").click().run()
    at.switch_page("app_pages/export.py").run()
    ok(at)
    assert "Committee evidence packet (HTML)" in [d.proto.label for d in at.get("download_button")]
    page = _state.committee_html(
        at.session_state["working"], _state.score(at.session_state["working"])
    )
    for shown in ("No postings period.", "Solid; date the demand.", "Dean Park",
                  "approved-with-changes"):  # fmt: skip
        assert shown in page


def test_refusals_in_the_dashboard(make_app, people, small_yaml) -> None:
    submitted(make_app, small_yaml)
    # a proposal the person may not see answers "not allowed"
    for email in ("other@uni.edu", "okafor@uni.edu", "dean@uni.edu"):
        at = make_app(user=email, proposal="sql-badge")
        ok(at)
        assert "not allowed: proposal 'sql-badge' does not exist or" in text_of(at)
        assert "SQL for Analysts" not in text_of(at)
    # the author cannot edit it once submitted
    at = make_app("proposal", user="chen@uni.edu", proposal="sql-badge")
    ok(at)
    assert "You can read this proposal" in text_of(at)
    assert at.button(key="save_form").disabled
    # another department's chair has nothing to sign; a return needs a comment
    at = make_app("signoff", user="nursechair@uni.edu")
    assert "Nothing waits for your sign-off" in text_of(at)
    at = make_app("signoff", user="chair@uni.edu")
    button(at, "Return to the author").click().run()
    assert "tell the author what to change" in text_of(at)
    button(at, "Sign off").click().run()
    # a reviewer not assigned has nothing to rate
    at = make_app("assign", user="office@uni.edu")
    at.selectbox(key="as_discipline").set_value("business").run()
    at.multiselect(key="as_reviewers_sql-badge_business").set_value(["Rev Okafor"])
    at.button(key="as_go").click().run()
    at = make_app("review", user="lin@uni.edu")
    assert "No proposal is assigned to you" in text_of(at)
    # an approver cannot decide before the feedback, nor date a decision in the future
    at = make_app("decide", user="dean@uni.edu")
    assert "No proposal waits for a decision" in text_of(at)
    at = make_app("review", user="okafor@uni.edu")
    button(at, "Submit my review").click().run()
    at = make_app("assign", user="office@uni.edu")
    at.button(key="fb_send").click().run()
    at = make_app("decide", user="dean@uni.edu")
    at.date_input(key="dc_day").set_value(dt.date.today() + dt.timedelta(days=3))
    button(at, "Record the decision").click().run()
    assert "is in the future" in text_of(at)


def test_versions_diff_and_restore(make_app, people, small_yaml) -> None:
    at = make_app("proposal", user="chen@uni.edu")
    upload(at, small_yaml, "sql.yaml")
    changed = yaml.safe_load(small_yaml)
    changed["outcomes"][0]["text"] = "Write SQL window functions over sales records."
    upload(at, yaml.safe_dump(changed).encode(), "sql-v2.yaml")
    ok(at)
    assert "You already have a proposal 'sql-badge'" in text_of(at)
    at.button(key="pending_replace").click().run()
    ok(at)
    assert "saved as version 2" in text_of(at)
    at = make_app(user="chen@uni.edu")
    diff = next(c.value for c in at.code)
    assert "+  text: Write SQL window functions over sales records." in diff
    at.button(key="pl_restore").click().run()
    ok(at)
    assert "Version 1 restored as version 3" in text_of(at)
    from align.store import User

    back = people.load_proposal("sql-badge", actor=User.operator())
    assert back.outcomes[0].text == SMALL["outcomes"][0]["text"]


def test_local_mode_is_labelled_and_serves_this_computer_only(make_app, monkeypatch) -> None:
    at = make_app()
    ok(at)
    assert "Single-user local mode" in text_of(at)
    assert at.selectbox(key="act_as").value == "Local user"
    from app_pages import _session

    monkeypatch.setattr(_session, "local_visitor", lambda: False)
    at = make_app()
    ok(at)
    assert pages_of(at) == set()
    assert "serves only the computer it runs on" in text_of(at)
