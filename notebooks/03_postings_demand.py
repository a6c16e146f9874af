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
# # Skill demand from real job postings
#
# An office analyst rarely starts from a clean Lightcast export. This notebook works through two
# real, openly shared files in the data folder (`ALIGN_DATA_DIR`, see
# `job_postings/PROVENANCE.md`): 672 Glassdoor data-science postings from 2021 with full text
# but no skills, occupation codes or dates, and 33,246 LinkedIn postings from 2023 with titles
# and LinkedIn's 35 job functions but no text. We ask what each can tell a curriculum
# committee, and what it cannot. Everything runs in seconds: skills are found as *literal
# mentions* (the skills a posting names), without the embedding model; the default
# `extract_skills` adds the model's paraphrase matches on top.

# %%
import os
import tempfile
import warnings
from pathlib import Path

import align
from align.exceptions import AlignDataWarning, PostingsDataError
from align.postings import (
    code_titles,
    coded_occupations,
    extract_skills,
    ingest_postings,
    skill_demand,
    top_titles,
)

data = Path(os.environ.get("ALIGN_DATA_DIR", "../../shared/data"))
work = Path(tempfile.mkdtemp())
glassdoor = work / "glassdoor.duckdb"
report = ingest_postings(
    data / "job_postings/glassdoor_ds_jobs_2021/Uncleaned_DS_jobs.csv",
    glassdoor,
    preset="glassdoor",
    progress=False,
)
report[["rows_read", "rows_loaded", "rows_rejected"]]

# %% [markdown]
# ## 1. Text without skills: extract them first
#
# The Glassdoor file has no skill columns, so there is nothing to count yet. `skill_demand` says
# so, and names the command that fixes it.

# %%
try:
    skill_demand(glassdoor)
except PostingsDataError as err:
    print(err)

# %% [markdown]
# `method="literal"` finds every Lightcast skill a posting names: its label, the label without
# its qualifier ("Python" for *Python (Programming Language)*), without a vendor ("Hadoop" for
# *Apache Hadoop*), and a few aliases ("AWS"). Short and ambiguous names follow context rules:
# "R" counts in "Python or R", not in "R&D"; "Excel" counts as *Microsoft Excel*, "excel at"
# does not. `extract_skills` returns what it stored: each skill with its evidence sentence, and
# `asked`: whether the posting *asks* for the skill or only names it (a company description, a
# team's name). Without the model the score reads the sentence's cue words ("experience",
# "you", "we"); the default method scores with the model too, which is more accurate.

# %%
found = extract_skills(glassdoor, method="literal", progress=False)
print(found.attrs["batch"]["note"])
found[["posting_id", "skill_name", "asked", "asked_score", "evidence"]].head()

# %% [markdown]
# Demand counts the skills postings ask for. `mentions="all"` counts every naming instead: the
# gap is largest for words company descriptions use ("We value innovation and collaboration").

# %%
demand = skill_demand(glassdoor, top=15)
demand[["rank", "skill_name", "postings", "share"]]

# %%
every = skill_demand(glassdoor, mentions="all").set_index("skill_name")["postings"]
asked = skill_demand(glassdoor).set_index("skill_name")["postings"]
gap = every.to_frame("named").join(asked.rename("asked for")).fillna(0).astype(int).head(40)
gap.assign(share_asked=(gap["asked for"] / gap["named"]).round(2)).sort_values("share_asked").head(
    6
)

# %%
named = found[found["skill_name"].isin(["Apache Hadoop", "R (Programming Language)"])]
named[named["evidence"].str.len().between(40, 120)][["skill_name", "evidence"]].head(4)

# %% [markdown]
# ## 2. Which occupations are these? Code the titles, then check the coding
#
# The postings carry no O*NET-SOC code. `code_titles` matches each job title to O*NET
# occupation titles and their alternate titles (here the fast string matcher; the default
# hybrid matcher embeds titles and is more accurate). Before trusting demand by occupation,
# look at what the coder did: `coded_occupations` lists each code with the titles that got it
# and the coder's scores (`low_confidence` is the share scoring below 0.5).

# %%
code_titles(glassdoor, method="lexical", top_k=1, progress=False)
coded = coded_occupations(glassdoor)
coded[["onet_code", "onet_title", "postings", "median_score", "example_titles"]].head(8)

# %% [markdown]
# Most titles are O*NET titles verbatim ("Data Scientist" scores 1.0). The rows to question are
# the ones whose example titles do not fit the code, for instance analysts coded as
# *Financial Quantitative Analysts*: read their titles before quoting demand for that code.
#
# Demand within one coded occupation: skills of the postings coded 15-2051 (Data Scientists).

# %%
skill_demand(glassdoor, occupation="15-2051", top=10)[["rank", "skill_name", "share"]]

# %% [markdown]
# ## 3. What this file cannot say
#
# * **Trends and periods**: the postings have no dates, so a period filter is refused rather
#   than silently returning nothing.
# * **Representativeness**: 672 postings scraped in one go, mostly "Data Scientist" titles; a
#   share here is a share of this scrape, not of the labour market.
# * **Regions**: locations are "City, ST" strings; state filters work, finer ones do not.

# %%
try:
    skill_demand(glassdoor, period="2021")
except PostingsDataError as err:
    print(err)
skill_demand(glassdoor, region="CA", top=5)[["skill_name", "postings", "share"]]

# %% [markdown]
# ## 4. LinkedIn: titles and job functions, no text
#
# The LinkedIn tables carry titles and LinkedIn's 35 coarse job functions (stored as skills of
# type `job_function`), but no posting text: there is nothing to extract skills from, and the
# "skills" it has are functions such as *Information Technology*, not skills a course teaches.

# %%
linkedin = work / "linkedin.duckdb"
with warnings.catch_warnings():
    warnings.simplefilter("ignore", AlignDataWarning)  # a few malformed rows are reported
    ingest_postings(
        data / "job_postings/linkedin_2023_structured/job_postings.csv.gz",
        linkedin,
        preset="linkedin",
        progress=False,
    )
skill_demand(linkedin, top=8)[["skill_name", "skill_type", "postings", "share"]]

# %%
top_titles(linkedin, top=8)

# %% [markdown]
# ## 5. Scale
#
# Real exports from a subscription hold hundreds of thousands of postings. The store reads files
# in chunks under a memory limit; `align postings synth` writes a synthetic Lightcast-shaped
# export (real Lightcast skill names and O*NET codes, invented postings) to try that without
# real data (benchmarks/RESULTS-postings.md: 1 M postings in about 3 minutes).

# %%
from align.postings import write_synthetic_postings

synthetic = write_synthetic_postings(work / "synthetic.csv", rows=2_000, seed=1, progress=False)
align.ingest_postings(synthetic, work / "synthetic.duckdb", progress=False)[["rows_loaded"]]
