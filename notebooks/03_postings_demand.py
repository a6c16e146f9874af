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
# committee, and what it cannot: extract skills, code the job titles to O*NET-SOC and review the
# uncertain codes, set generic skills apart, save the results, and chart demand over time.
#
# Skills are found here as *literal mentions* (the skills a posting names), which needs no
# model and runs in seconds; the default `extract_skills` adds the model's paraphrase matches.
# Title coding uses the default coder (the embedding model; the first run on a machine embeds
# O*NET's 52,000 occupation titles once, about two minutes, then seconds).

# %%
import os
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import plotly.express as px

import align
from align.exceptions import AlignDataWarning, PostingsDataError
from align.postings import (
    code_titles,
    coded_occupations,
    coding_summary,
    demand_over_time,
    extract_skills,
    extract_text_skills,
    import_review,
    ingest_postings,
    make_skill_matcher,
    posting_skills,
    review_sheet,
    skill_demand,
    skill_specificity,
    top_titles,
    write_review_sheet,
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
# *Apache Hadoop*), and a few aliases ("AWS"). `extract_skills` returns what it stored: each
# skill with its evidence sentence and `asked`: whether the posting *asks* for the skill or only
# names it (a company description, a team's name). The progress bar (here switched off) moves
# every couple of seconds: batches start small and grow.

# %%
found = extract_skills(glassdoor, method="literal", progress=False)
print(found.attrs["batch"]["note"])
found[["posting_id", "skill_name", "asked", "asked_score", "evidence"]].head()

# %% [markdown]
# ## 2. Results that save as they are
#
# Every table the API returns writes to Parquet and CSV as it is: run metadata sits in
# `attrs` as plain values (the run's log entry, its time as ISO text), and the same entry is in
# the database's batch log. `posting_skills` reads every stored skill back later, from every
# run, with the posting's title, company, date and occupation: no batch number to remember.

# %%
found.to_parquet(work / "skills.parquet")
found.to_csv(work / "skills.csv", index=False)
stored = posting_skills(glassdoor, asked_only=True)
print(f"{len(stored):,} stored skills asked for; read back from Parquet:",
      len(pd.read_parquet(work / "skills.parquet")))  # fmt: skip
stored[["title", "company", "skill_name", "asked_score"]].head(3)

# %% [markdown]
# ## 3. Which occupations are these? Code the titles, then review the uncertain ones
#
# The postings carry no O*NET-SOC code. `code_titles` cleans each title (seniority, schedule,
# places and requisition numbers dropped), shortlists O*NET occupations by their titles,
# alternate and reported titles, and re-ranks them with a model fitted on a hand-labelled
# benchmark of 450 real titles (`benchmarks/data/titles`). Each coding has a `confidence`, the
# probability that it is right (calibrated: of codings at 0.8, about 8 in 10 are), and `tied`
# when the runner-up is about as likely. On the benchmark's held-out half it codes 0.66 of
# titles right at the first code and 0.88 within five; the confidence is what tells the two
# apart.

# %%
coded = code_titles(glassdoor, progress=False)
table = coded_occupations(glassdoor)
table[["onet_code", "onet_title", "postings", "median_confidence", "low_confidence", "tied",
       "example_titles"]].head(8)  # fmt: skip

# %% [markdown]
# "Data Analyst" is listed by eight O*NET occupations; the coder splits it between *Data
# Scientists* and *Business Intelligence Analysts* and says so: a tie, confidence about 0.4,
# rather than the lowest code winning silently. The review sheet lists every uncertain title
# once, with the postings that carry it and the best candidates. In a spreadsheet the analyst
# writes `reviewed_code` (an O*NET-SOC code, `keep`, `none` when no occupation fits) and imports
# it back; on the command line, `align postings occupations --review review.csv` and
# `--import-review review.csv`.

# %%
sheet = write_review_sheet(glassdoor, work / "review.csv")
print(f"{len(sheet)} titles ({sheet['postings'].sum()} postings) to review")
sheet[["title", "postings", "onet_code", "confidence", "tied", "candidates"]].head(6)

# %% [markdown]
# Here the analyst decides the data-analyst titles are *Business Intelligence Analysts*
# (15-2051.01) and keeps the coder's code for the rest of the first ten titles (in practice:
# edit the CSV and save it).

# %%
edited = pd.read_csv(work / "review.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
analyst = edited["title"].str.contains("data analyst", case=False)
edited.loc[analyst, "reviewed_code"] = "15-2051.01"
edited.loc[~analyst & (edited.index < 10), "reviewed_code"] = "keep"
edited.to_csv(work / "review.csv", index=False)
done = import_review(glassdoor, work / "review.csv")
done["action"].value_counts()

# %% [markdown]
# Demand, occupation counts and the occupations table now use the reviewed codes (source
# `reviewed`), and a re-coding keeps them. The dashboard's postings panel shows these counts.

# %%
print(coding_summary(glassdoor))
skill_demand(glassdoor, occupation="15-2051.01", top=8)[["rank", "skill_name", "share"]]

# %% [markdown]
# ## 4. Generic skills, set apart
#
# Some skills rank near the top for every occupation. `specificity` (0-1) measures how unevenly
# a skill's demand spreads over the database's occupations; `generic` marks skills that every
# occupation asks for at least about 80 % as often as the one asking most. It is relative to the
# occupations in the database: in this data-science file, Computer Science and Communications
# are asked for everywhere. Demand can show them (flagged), hide them (their number is said) or
# down-weight them (ranked by share × specificity).

# %%
spread = skill_specificity(glassdoor)
common = spread[spread["postings"] >= 30]
generic = ", ".join(common.loc[common["generic"], "skill_name"])
print(
    f"{spread['groups'].iloc[0]} occupations with 10+ postings; of the {len(common)} skills "
    f"asked for by 30+ postings, generic: {generic}"
)
demand = skill_demand(glassdoor, top=15)
demand[["rank", "skill_name", "share", "specificity", "generic"]]

# %%
down = skill_demand(glassdoor, top=10, generic="down-weight")
hidden = skill_demand(glassdoor, top=10, generic="hide")
print(f"hidden: {hidden.attrs['generic_hidden']} generic skills among the top")
down[["rank", "skill_name", "share", "specificity", "weighted_share"]]

# %%
fig = px.bar(
    demand.iloc[::-1], x="share", y="skill_name", color="generic", orientation="h",
    labels={"share": "share of postings", "skill_name": ""}, height=480,
    title="Skill demand, Glassdoor 2021: generic skills flagged",
)  # fmt: skip
fig

# %% [markdown]
# ### Matcher matches that only paraphrase a common phrase
#
# The matcher (the default extraction) finds skills a sentence describes without naming. It
# used to take "written and verbal communication skills" for *Non-Verbal Communication* and
# "configuring cloud platforms" for *Google Cloud Platform*: labels that are a specific kind of
# what the sentence says. Those matches are now dropped (measured on hand-labelled pairs in
# `benchmarks/RESULTS-postings.md`). On the real sentences, against the Lightcast skills whose
# names share their words (a slice of the list, so this cell embeds a few hundred labels):

# %%
lightcast = align.load_framework("lightcast", data_dir=data)
words = "communication|programming|cloud platform"
part = lightcast.competencies[lightcast.competencies["label"].str.contains(words, case=False)]
slice_ = align.Framework(lightcast.info, part.reset_index(drop=True))
matcher = make_skill_matcher("lightcast", framework=slice_)
sentences = stored.loc[stored["evidence"].str.contains(
    r"written and verbal communication|programming languages|cloud platforms", case=False
), "evidence"].drop_duplicates().head(6).tolist()  # fmt: skip
paraphrased = extract_text_skills(
    [f"s{i}" for i in range(len(sentences))], sentences, matcher, literal=False, asked=False
)
pd.DataFrame({"sentence": sentences}).join(
    paraphrased.groupby("posting_id")["skill_name"].agg(", ".join)
    .rename(lambda p: int(p[1:])).rename("matcher finds"), how="left",
).fillna("")  # fmt: skip

# %% [markdown]
# ## 5. Demand over time
#
# Neither real file has posting dates (the Glassdoor scrape has none; this copy of the LinkedIn
# tables lacks `listed_time`; a full LinkedIn export's Unix times are read as dates). A period
# filter on them is refused rather than silently matching nothing:

# %%
try:
    demand_over_time(glassdoor)
except PostingsDataError as err:
    print(err)

# %% [markdown]
# To show the chart, a **synthetic** Lightcast-shaped export (every row labelled synthetic:
# real Lightcast skill names and O*NET codes, invented postings and dates) stands in for a dated
# subscription export. `demand_over_time` gives each skill's share per quarter.

# %%
synthetic = align.postings.write_synthetic_postings(
    work / "synthetic.csv", rows=4_000, seed=3, data_dir=data, progress=False
)
dated = work / "synthetic.duckdb"
ingest_postings(synthetic, dated, progress=False)
over = demand_over_time(dated, occupation="15-", unit="quarter", top=5)
px.line(over, x="period_start", y="share", color="skill_name", markers=True,
        title="SYNTHETIC postings: share asking for each skill, per quarter",
        labels={"period_start": "quarter", "share": "share of postings"})  # fmt: skip

# %% [markdown]
# ## 6. What this file cannot say
#
# * **Representativeness**: 672 postings scraped in one go, mostly "Data Scientist" titles; a
#   share here is a share of this scrape, not of the labour market.
# * **Regions**: locations are "City, ST" strings; state filters work, finer ones do not.

# %%
skill_demand(glassdoor, region="CA", top=5)[["skill_name", "postings", "share"]]

# %% [markdown]
# ## 7. LinkedIn: titles and job functions, no text
#
# The LinkedIn tables carry titles and LinkedIn's 35 coarse job functions (stored as skills of
# type `job_function`), but no posting text. Its titles cover every field, so coding a sample
# shows what the coder is sure of, and how much is left to review.

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
top_titles(linkedin, top=5)

# %%
sample = code_titles(linkedin, limit=1_000, progress=False)
first = sample[sample["rank"] == 1]
print(f"{len(first):,} postings coded; {(first['confidence'] >= 0.8).mean():.0%} with "
      f"confidence 0.8 or more, {(first['confidence'] < 0.5).mean():.0%} below 0.5, "
      f"{first['tied'].mean():.0%} tied")  # fmt: skip
review_sheet(linkedin)[["title", "onet_code", "confidence", "candidates"]].head(5)

# %% [markdown]
# ## 8. Practicalities
#
# * A partial O*NET release (the shared copy lacks three files) is reported once per session,
#   not on every load.
# * To run this notebook and keep a copy with its outputs, use `jupyter nbconvert --to notebook
#   --execute 03_postings_demand.ipynb --output executed.ipynb` (or `--to html`); `nbconvert`
#   and `jupyterlab` come with the `dev` extra (`pip install -e '.[dev]'`).

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    align.load_framework("onet", data_dir=data)
    align.load_framework("onet", data_dir=data)
print(f"O*NET loaded twice, {sum('lacks' in str(w.message) for w in caught)} partial-release "
      "warnings (it was shown before in this session, when the coder loaded O*NET)")  # fmt: skip
