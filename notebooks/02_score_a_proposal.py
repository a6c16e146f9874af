# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Does this proposal teach what the occupations it targets do?
#
# An analyst's walk through one proposal: match its learning outcomes to O*NET, score its
# workforce alignment, read why each outcome earned what it did, record a decision and see the
# score move, and check it against policy. Everything here is the public `align` API; the
# command line (`align match`, `align score`, `align check`) calls the same functions.
# `ALIGN_DATA_DIR` must point at the folder holding the O*NET release.

# %%
from pathlib import Path

import plotly.express as px

import align

root = Path.cwd() if (Path.cwd() / "data").is_dir() else Path.cwd().parent
proposal = align.load_proposal(root / "data" / "examples" / "data-analytics.yaml")
print(proposal.title, "-", proposal.type, "-", proposal.credits, "credits")
[(o.id, o.text) for o in proposal.outcomes]

# %% [markdown]
# ## Matching outcomes to competencies
# `align.match` returns one row per (outcome, competency) with the matcher's `score`, its
# semantic and lexical parts, and the label or alternate label that matched. Here we restrict
# O*NET to skills, knowledge and detailed work activities (DWAs).

# %%
onet = align.load_framework("onet")
matches = align.match(
    [o.text for o in proposal.outcomes[:3]], onet, top_k=3, kinds=["skill", "knowledge", "dwa"]
)
matches[["query_index", "rank", "label", "kind", "score", "semantic_score", "lexical_score"]]

# %% [markdown]
# ## The alignment score
# Demand is what the target occupations do (O*NET's work activities, matched through the
# occupations' own task statements) and the tools they use. Credit follows meaning: a match
# counts when the activity stands out among all of O*NET's work activities for the outcome,
# times the outcome's specificity. The report opens with the band and what would move it.

# %%
report = align.score_alignment(proposal)
print(f"{report.overall:.0f} / 100: {report.band}")
report.next_steps

# %%
comps = report.to_frame("components")
px.bar(
    comps,
    x="contribution",
    y="component",
    orientation="h",
    text=comps["contribution"].round(1),
    labels={"contribution": "points of the overall score", "component": ""},
    title=f"{report.overall:.0f} / 100 ({report.band})",
    height=300,
)

# %% [markdown]
# Each outcome: the demanded activity it teaches best, how far that activity stands out for
# it (standard deviations above a typical work activity), the credit it earns and, when it
# earns less than full credit, a hint drawn from the occupation's own wording.

# %%
report.to_frame("outcomes")[
    ["outcome_id", "best_demand", "best_demand_standout", "best_demand_score", "rewrite_hint"]
]

# %% [markdown]
# The demanded work, heaviest first, with the occupation's own wording and which outcome
# covers it (empty: a gap).

# %%
report.to_frame("demand")[["label", "example", "weight", "coverage", "best_outcome"]].head(12)

# %% [markdown]
# ## A decision moves the score
# Faculty accept or reject matches (the dashboard's Matches page writes them into the proposal
# file). Accepting that LO6 teaches an activity no outcome covers counts it in full; the
# report keeps the score before the decision.

# %%
gap = report.to_frame("demand").query("coverage == 0 and kind == 'dwa'").iloc[0]
decided = proposal.model_copy(
    update={
        "alignments": [
            align.ReviewedAlignment(
                outcome="LO6",
                framework="onet",
                id=gap["id"],
                code=gap["id"].split(":")[-1],
                label=gap["label"],
                status="accepted",
                source="search",
            )
        ]
    }
)
after = align.score_alignment(decided)
print(f"accepted '{gap['label']}' for LO6: {after.unreviewed_overall:.1f} -> {after.overall:.1f}")

# %% [markdown]
# ## Policy checks
# Each check passes, warns or fails with a plain message.

# %%
align.check_policy(proposal)
