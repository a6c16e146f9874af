"""Every dashboard page driven with Streamlit's AppTest: inputs in, content out, error paths."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.app.conftest import REPO, SMALL

pytestmark = [pytest.mark.slow, pytest.mark.realdata]


def upload(at, data: bytes, name: str = "proposal.yaml") -> None:
    at.file_uploader(key="upload").set_value((name, data, "application/x-yaml")).run()


def ok(at) -> None:
    problems = [e.value for e in at.exception]
    assert not problems, problems


def text_of(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts).replace("\\", "")


def saved(store, pid: str = "sql-badge") -> dict:
    """The newest stored version of a proposal, as plain data."""
    from align.store import User

    text = store.proposal_text(pid, actor=User.operator("tests"))
    return yaml.safe_load(text)


def upload_to(at, data: bytes, name: str = "proposal.yaml"):
    """Upload on the Proposal page (the app opens on My proposals)."""
    at.switch_page("app_pages/proposal.py").run()
    upload(at, data, name)
    return at


def accept_keys(at) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith("accept_")]


# == Proposal ===========================================================================
def test_upload_opens_and_saves_the_proposal(make_app, store, small_yaml):
    at = upload_to(make_app(), small_yaml, "sql.yaml")
    ok(at)
    assert at.text_input(key="f_title").value == "SQL for Analysts"
    assert "Opened SQL for Analysts; it is saved as a new proposal (sql-badge)" in text_of(at)
    assert saved(store)["title"] == "SQL for Analysts"
    assert at.query_params["proposal"] == "sql-badge"
    dl = at.get("download_button")
    assert any("YAML" in d.proto.label for d in dl)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("bad.yaml", b"title: x\n  outcomes: [\n", "is not valid YAML"),
        ("big.yaml", b"title: x\n" + b"#" * (1024 * 1024 + 10), "at most 1 MB"),
        ("binary.yaml", b"\xff\xfe\x00\x81\x00garbage", "not a text file"),
        ("list.yaml", b"- a\n- b\n", "should hold fields like 'title:'"),
        ("tags.yaml", b"title: !!python/object/apply:os.system ['echo hi']\n", "YAML"),
    ],
)
def test_bad_uploads_say_what_is_wrong(make_app, store, name, data, expected):
    at = upload_to(make_app(), data, name)
    ok(at)
    assert expected in text_of(at)
    assert "align-upload" not in text_of(at)  # messages name the user's file, not our copy
    assert "/tmp" not in text_of(at)
    from align.store import User

    assert store.proposals(actor=User.operator()).empty


def test_upload_check_refuses_other_file_kinds():
    from align.exceptions import ProposalError
    from app_pages import _session

    with pytest.raises(ProposalError, match="upload a proposal written as YAML"):
        _session.check_upload("notes.txt", b"title: x")


def test_invalid_fields_are_shown_beside_them_in_the_library_words(make_app, small_yaml):
    bad = yaml.safe_load(small_yaml)
    bad["credits"] = "three"
    bad["outcomes"][0]["evidnce"] = "x"
    at = upload_to(make_app(), yaml.safe_dump(bad).encode())
    ok(at)
    text = text_of(at)
    assert "field 'credits': found 'three'; expected a number" in text
    assert "did you mean 'evidence'?" in text


def test_form_from_blank_to_saved_with_errors_beside_fields(make_app, store):
    at = make_app("proposal")
    at.text_input(key="f_title").set_value("ab")
    at.text_input(key="f_o0_id").set_value("LO1")
    at.text_area(key="f_o0_text").set_value("Analyze sales data with SQL and present findings.")
    at.button(key="save_form").click().run()
    ok(at)
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("field 'title'" in e for e in errors)
    assert any("field 'issuing_unit'" in e for e in errors)
    from align.store import User

    assert store.proposals(actor=User.operator()).empty
    # fix the fields, search an occupation by an alternate title and add it
    at.text_input(key="f_title").set_value("Sales Analytics")
    at.text_input(key="f_issuing_unit").set_value("Business School")
    at.text_input(key="occ_query").set_value("data scientist").run()
    ok(at)
    at.button(key="occ_add_15-2051.00").click().run()
    assert at.multiselect(key="f_occupations").value == ["15-2051.00"]
    at.multiselect(key="f_frameworks").set_value(["onet", "nace"])
    at.button(key="save_form").click().run()
    ok(at)
    data = saved(store, "sales-analytics")
    assert data["target_occupations"] == ["15-2051.00"]
    assert data["outcomes"][0]["text"].startswith("Analyze sales data")
    assert "Opened Sales Analytics" in text_of(at) or "Saved Sales Analytics" in text_of(at)
    # a second save of the form is a new version of the same proposal
    at.text_input(key="f_title").set_value("Sales Analytics with SQL")
    at.button(key="save_form").click().run()
    ok(at)
    assert "as version 2" in text_of(at)
    assert saved(store, "sales-analytics")["title"] == "Sales Analytics with SQL"


def test_user_text_is_shown_literally(make_app, small_yaml):
    evil = yaml.safe_load(small_yaml)
    evil["title"] = "<b>Bold</b> **star** [link](javascript:alert(1))"
    at = upload_to(make_app(), yaml.safe_dump(evil).encode())
    ok(at)
    shown = [m.value for m in at.markdown if "Bold" in str(m.value)]
    assert shown and all("\\<b\\>" in s and "\\*\\*star" in s for s in shown)


def test_no_page_renders_user_text_as_html():
    for path in [REPO / "app.py", *sorted((REPO / "app_pages").glob("*.py"))]:
        assert "unsafe_allow_html" not in path.read_text(), path


# == Matches: decisions saved at once, restored, conflicts detected ======================
def test_accept_reject_undo_are_saved_and_restored(make_app, store, small_yaml):
    at = upload_to(make_app(), small_yaml)
    at.switch_page("app_pages/matches.py").run()
    ok(at)
    keys = accept_keys(at)
    assert keys, "no match to review"
    assert "onetonline.org" in "\n".join(str(m.value) for m in at.markdown)
    at.button(key=keys[0]).click().run()
    reject = next(b.key for b in at.button if b.key and b.key.startswith("reject_"))
    at.button(key=reject).click().run()
    ok(at)
    statuses = sorted(a["status"] for a in saved(store)["alignments"])
    assert statuses == ["accepted", "rejected"]
    a = saved(store)["alignments"][0]
    assert a["source"] == "matcher" and a["framework_version"] and a["id"].count(":") >= 1
    assert a["reviewed_by"] == "Local user"
    # every decision is a version; the stored text is a proposal the library reads back
    from align.store import User

    op = User.operator()
    assert store.proposal("sql-badge", actor=op).version == 3
    back = store.load_proposal("sql-badge", actor=op)
    assert sorted(x.status for x in back.alignments) == ["accepted", "rejected"]
    assert all(x.reviewed_at is not None for x in back.alignments)
    # a reload (new session, same URL) restores the decisions
    again = make_app("matches", proposal="sql-badge")
    ok(again)
    assert "1 accepted, 1 rejected" in text_of(again)
    undo = next(b.key for b in again.button if b.key and b.key.startswith("undo_"))
    again.button(key=undo).click().run()
    assert len(saved(store)["alignments"]) == 1


def overall(at) -> int:
    m = re.search(r"Overall alignment: (\d+) / 100", text_of(at))
    assert m, text_of(at)
    return int(m.group(1))


def test_accepting_matches_rescores_the_proposal(make_app, store, small_yaml):
    at = upload_to(make_app(), small_yaml)
    at.switch_page("app_pages/matches.py").run()
    before = overall(at)
    for n in range(1, 5):
        # A decision reruns only the score line and that outcome (fragments), so the
        # buttons left are those of the outcome just decided; a full run shows the rest.
        keys = accept_keys(at) or accept_keys(at.run())
        at.button(key=keys[-1]).click().run()
        ok(at)
        assert f"Reviewed so far: {n} accepted" in text_of(at)
        if overall(at) != before:
            break
    after = overall(at)
    assert after > before  # accepted pairs earn full credit in the re-score
    assert sum(a["status"] == "accepted" for a in saved(store)["alignments"]) == n
    # the Alignment page and a reload show the same re-scored figure
    at.switch_page("app_pages/alignment.py").run()
    assert at.metric[0].value == f"{after} / 100"
    assert overall(make_app("matches", proposal="sql-badge")) == after


def test_replace_a_match_by_searching_the_framework(make_app, store, small_yaml):
    at = upload_to(make_app(), small_yaml)
    at.switch_page("app_pages/matches.py").run()
    at.selectbox(key="repl_fw_LO2").set_value("nace")
    at.text_input(key="repl_q_LO2").set_value("communicate in writing").run()
    ok(at)
    at.button(key="use_LO2_0").click().run()
    ok(at)
    al = saved(store)["alignments"]
    assert {(a["status"], a["source"]) for a in al} == {
        ("rejected", "matcher"),
        ("accepted", "search"),
    }
    assert all(a["outcome"] == "LO2" for a in al)
    assert any(a["framework"] == "nace" and a["status"] == "accepted" for a in al)


def test_second_session_is_asked_before_overwriting(make_app, store, small_yaml):
    first = upload_to(make_app(), small_yaml)
    second = make_app("matches", proposal="sql-badge")
    first.switch_page("app_pages/matches.py").run()
    first.button(key=accept_keys(first)[0]).click().run()
    assert len(saved(store)["alignments"]) == 1
    second.button(key=accept_keys(second)[-1]).click().run()
    ok(second)
    assert "Someone else saved this proposal" in text_of(second)
    assert len(saved(store)["alignments"]) == 1  # nothing overwritten silently
    second.button(key="conflict_reload").click().run()
    assert "1 accepted" in text_of(second)
    # overwrite path: a newer version on top (theirs stays in the version list)
    first.button(key=accept_keys(first)[-1]).click().run()
    second.button(key=accept_keys(second)[0]).click().run()
    assert "Someone else saved" in text_of(second)
    second.button(key="conflict_overwrite").click().run()
    ok(second)
    assert "Someone else saved" not in text_of(second)
    from align.store import User

    assert store.proposal("sql-badge", actor=User.operator()).version == 4


# == Alignment ===============================================================================
def test_alignment_page_shows_score_components_and_demand(make_app, small_yaml):
    at = upload_to(make_app(), small_yaml)
    at.switch_page("app_pages/alignment.py").run()
    ok(at)
    labels = [m.label for m in at.metric]
    assert "Overall alignment" in labels
    assert at.metric[0].value.endswith("/ 100")
    assert len(at.get("plotly_chart")) >= 1
    tables = [d.value for d in at.dataframe]
    assert any({"component", "contribution"} <= set(t.columns) for t in tables)
    assert sum({"label", "weight", "coverage"} <= set(t.columns) for t in tables) == 2
    outcomes = next(t for t in tables if "hints" in t.columns)
    assert list(outcomes["outcome_id"]) == ["LO1", "LO2"]


def test_alignment_with_the_servers_postings_database(make_app, small_yaml, tmp_path, monkeypatch):
    from align import ingest_postings

    at = upload_to(make_app(), small_yaml)
    at.switch_page("app_pages/alignment.py").run()
    assert "no postings database" in text_of(at)
    assert not [t for t in at.text_input if t.key == "db"]  # no path is asked of a visitor
    db = tmp_path / "p.duckdb"
    ingest_postings(
        REPO / "tests" / "data" / "postings" / "lightcast_small.csv", db, progress=False
    )
    monkeypatch.setenv("ALIGN_POSTINGS_DB", str(db))
    at.run()
    at.text_input(key="db_occ").set_value("15-2051")
    at.text_input(key="db_region").set_value("TX")
    at.toggle(key="use_postings").set_value(True).run()
    ok(at)
    text = text_of(at)
    assert "Skill demand" in text and "postings with skill data" in text
    assert "counts where the posting asks for it" in text
    assert any(m.value == "job postings" for m in at.metric)
    assert str(db) not in text and str(tmp_path) not in text  # the path is never shown


def test_pages_without_a_proposal_point_to_my_proposals(make_app):
    for page in ("matches", "alignment", "policy", "export"):
        at = make_app(page)
        ok(at)
        assert "No proposal is open" in text_of(at)


# == Stack, policy, portfolio, export ===========================================================
def test_stack_page_heatmap_gaps_and_suggestion(make_app):
    at = make_app("stack")
    pick = at.selectbox(key="stack_pick")
    pick.set_value("data-analytics-stack.yaml").run()
    ok(at)
    assert "Target covered" in [m.label for m in at.metric]
    assert "Suggested next credential" in [s.value for s in at.subheader]
    assert len(at.get("plotly_chart")) == 1


def stack_upload(at, data: bytes) -> None:
    at.radio(key="stack_how").set_value("an uploaded file").run()
    at.file_uploader(key="stack_upload").set_value(("s.yaml", data, "application/x-yaml")).run()


def test_stack_upload_with_a_problem(make_app):
    at = make_app("stack")
    stack_upload(at, b"title: Tiny stack\nmembers: []\n")
    ok(at)
    assert "lists no credentials" in text_of(at)


def test_a_stack_cannot_read_server_files(make_app, tmp_path):
    """The Stack page once listed the YAML keys of any server file named as a member."""
    secret = tmp_path / "shadow.yaml"
    secret.write_text("root_password_hash: $6$SECRETSALT$abcdef\nadmin_hash: $6$XYZ\n")
    for member in (str(secret), "../../../etc/passwd", "shadow.yaml"):
        at = make_app("stack")
        stack_upload(at, f"title: Leak\ntarget: cmc\nmembers: [{member}]\n".encode())
        ok(at)
        text = text_of(at)
        assert "is not a proposal you can open in the store" in text
        assert "root_password_hash" not in text and "SECRETSALT" not in text
    at = make_app("stack")
    stack_upload(at, f"title: Leak\ntarget: {secret}\nmembers: []\n".encode())
    assert "SECRETSALT" not in text_of(at)


def test_a_stack_built_from_stored_proposals(make_app, small_yaml):
    at = upload_to(make_app(), small_yaml)
    at.switch_page("app_pages/stack.py").run()
    at.radio(key="stack_how").set_value("a new stack from proposals").run()
    at.text_input(key="stack_title").set_value("Analyst stack")
    at.multiselect(key="stack_members").set_value(["sql-badge"])
    at.text_input(key="stack_target").set_value("onet:15-2051.01")
    at.button[[b.label for b in at.button].index("Save and analyse")].click().run()
    ok(at)
    assert "Target covered" in [m.label for m in at.metric]
    at.radio(key="stack_how").set_value("a stack I saved").run()
    ok(at)
    assert "Target covered" in [m.label for m in at.metric]


def test_policy_page_pass_warn_fail_and_policy_shown(make_app, small_yaml):
    at = upload_to(make_app(), small_yaml)
    at.switch_page("app_pages/policy.py").run()
    ok(at)
    assert [m.label for m in at.metric] == ["Pass", "Warn", "Fail"]
    assert "credits" in at.code[0].value
    at.file_uploader(key="policy_upload").set_value(
        ("policy.yaml", b"types: [unheard-of\n", "application/x-yaml")
    ).run()
    ok(at)
    assert at.error


def test_portfolio_page_reads_the_store(make_app, small_yaml):
    at = upload_to(make_app(), small_yaml)
    second = dict(SMALL, id="viz", title="Dashboards for Analysts")
    second["outcomes"] = [{"id": "LO1", "text": "Create charts that visualize data."}]
    upload(at, yaml.safe_dump(second).encode(), "viz.yaml")
    at.switch_page("app_pages/portfolio.py").run()
    assert not [t for t in at.text_input if t.key in {"pf_folder", "pf_db"}]  # no paths
    at.multiselect(key="pf_statuses").set_value(["draft"])
    at.button(key="pf_go").click().run()
    ok(at)
    assert "Demand covered by the portfolio" in [m.label for m in at.metric]
    matrix = next(d.value for d in at.dataframe if "skill" in d.value.columns)
    assert {"sql-badge", "viz"} <= set(matrix.columns)


def test_export_downloads(make_app, small_yaml):
    at = upload_to(make_app(), small_yaml)
    at.switch_page("app_pages/export.py").run()
    ok(at)
    labels = [d.proto.label for d in at.get("download_button")]
    assert {"Report (HTML)", "Report (JSON)"} <= set(labels)
    report = json.loads(
        next(d for d in at.get("download_button") if d.proto.label == "Report (JSON)").proto.url
        and _report_json(at)
    )
    assert report["proposal"] == "SQL for Analysts"


def _report_json(at) -> str:
    from app_pages import _state

    return _state.score(at.session_state["working"]).to_json()


def test_badge_exports_use_the_reviewed_alignments(make_app, store, small_yaml):
    from app_pages import _state

    at = upload_to(make_app(), small_yaml)
    at.switch_page("app_pages/export.py").run()
    ok(at)
    if not _state.badge_formats():  # this align has no badge exporters: the page says so
        assert "appear here once this version of align includes its exports" in text_of(at)
        return
    assert "marked unreviewed" in text_of(at)
    at.switch_page("app_pages/matches.py").run()
    at.button(key=accept_keys(at)[0]).click().run()
    at.switch_page("app_pages/export.py").run()
    ok(at)
    assert "Badges carry the 1 alignment(s) faculty accepted" in text_of(at)
    at.selectbox(key="badge_format").set_value("csv").run()
    ok(at)
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Badge export (csv)" in labels
    accepted = saved(store)["alignments"][0]["id"]
    text, problems, _ = _state.badge_export(
        at.session_state["working"], "csv", _state.score(at.session_state["working"])
    )
    assert not problems and accepted.split(":", 1)[-1] in text


def test_postings_panel_says_how_many_codings_were_reviewed(
    make_app, small_yaml, tmp_path, monkeypatch
):
    import json

    import pandas as pd

    from align import Framework, FrameworkInfo, import_review, ingest_postings
    from align.postings import code_titles, make_title_coder

    db = tmp_path / "p.duckdb"
    ingest_postings(
        REPO / "tests" / "data" / "postings" / "lightcast_small.csv", db, progress=False
    )
    titled = tmp_path / "job_postings.jsonl"
    titled.write_text(
        "".join(json.dumps({"job_id": i, "title": "Data Analyst", "location": "Austin, TX"}) + "\n"
                for i in range(3)),
        encoding="utf-8",
    )  # fmt: skip
    ingest_postings(titled, db, preset="linkedin", progress=False)
    info = FrameworkInfo(key="onet", name="fixture", publisher="tests", version="0",
                         source_url="", licence="CC0", attribution="")  # fmt: skip
    occs = pd.DataFrame({"id": ["onet:15-2051.01"], "framework": "onet", "code": ["15-2051.01"],
                         "title": ["Business Intelligence Analysts"], "description": "",
                         "group": "", "alt_titles": [["Data Analyst"]], "url": ""})  # fmt: skip
    comps = pd.DataFrame({"id": ["onet:x"], "framework": "onet", "code": ["x"],
                          "label": ["x"], "kind": "skill", "alt_labels": [[]]})  # fmt: skip
    onet = Framework(info, comps, occs)
    code_titles(db, matcher=make_title_coder("lexical", onet=onet), progress=False)
    import_review(db, pd.DataFrame({"title": ["Data Analyst"], "reviewed_code": ["keep"]}),
                  onet=onet)  # fmt: skip
    monkeypatch.setenv("ALIGN_POSTINGS_DB", str(db))
    at = upload_to(make_app(), small_yaml)
    at.switch_page("app_pages/alignment.py").run()
    at.text_input(key="db_occ").set_value("15-2051")
    at.text_input(key="db_region").set_value("TX")
    at.toggle(key="use_postings").set_value(True).run()
    ok(at)
    text = " ".join(text_of(at).replace("*", "").split())
    assert "3 from their titles, of which 3 reviewed by an analyst (1 titles)" in text


def test_messages_never_show_server_folders(make_app, monkeypatch):
    """A library message names the file it could not read; a visitor sees its role instead."""
    from align._config import data_dir
    from app_pages import _session

    at = make_app()
    ok(at)
    where = str(data_dir() / "onet")
    text = _session.without_server_paths(f"no O*NET release found in '{where}'; fix it.")
    assert str(data_dir()) not in text and "the server's data folder" in text
    label = _session.store().label.strip("'")
    assert label not in _session.without_server_paths(f"{label} is locked by another program")


def test_the_form_survives_a_visit_to_another_page(make_app, small_yaml):
    """Streamlit drops a page's widget state when another page is shown; coming back to the
    Proposal page refills the form (under load this was a KeyError: 'f_occupations')."""
    at = upload_to(make_app(), small_yaml)
    at.switch_page("app_pages/policy.py").run()
    at.switch_page("app_pages/proposals.py").run()
    at.switch_page("app_pages/proposal.py").run()
    ok(at)
    assert at.text_input(key="f_title").value == "SQL for Analysts"
    assert at.multiselect(key="f_occupations").value == ["15-2051.01"]
