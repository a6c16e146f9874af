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
# # Does this proposal teach what employers ask for?
#
# An analyst's walk through one proposal: match its learning outcomes to O*NET, score its
# workforce alignment, and check it against policy. Everything here is the public `align` API;
# the command line (`align match`, `align score`, `align check`) calls the same functions.
# `ALIGN_DATA_DIR` must point at the folder holding the O*NET release.

# %%
from pathlib import Path

import align

root = Path.cwd() if (Path.cwd() / "data").is_dir() else Path.cwd().parent
proposal = align.load_proposal(root / "data" / "examples" / "data-analytics.yaml")
print(proposal.title, "-", proposal.type, "-", proposal.credits, "credits")
[(o.id, o.text) for o in proposal.outcomes]

# %% [markdown]
# ## Matching outcomes to competencies
# `align.match` returns one row per (outcome, competency) with the calibrated `score`, its
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
# Without a postings database, demand comes from the O*NET importance ratings of the
# proposal's target occupations. Every component of the overall score is shown.

# %%
report = align.score_alignment(proposal)
report

# %%
report.to_frame().head(10)

# %% [markdown]
# ## Policy checks
# Each check passes, warns or fails with a plain message.

# %%
align.check_policy(proposal)
