"""Official pages of competencies: for each framework and kind, the most specific page there is.

A badge alignment links one competency (``targetUrl``). :func:`official_target`
returns the page of each framework's own site that names that competency, by
the rules of :data:`TARGET_RULES` (the README's and ``docs/badges-and-review.md``'s
table is this one). When the framework publishes no page for the competency
alone (an O*NET task is listed on its occupation's page), :attr:`Target.note`
says so, and exports put that sentence in ``targetDescription`` so a reader
knows what the link opens.

The loaders build their ``url`` column with the same functions (O*NET's
:func:`onet_url`), so ``align match`` and the exports always agree.

:func:`competency_id` goes the other way: align's namespaced id of a
competency from the code and page a badge carries (``onet:task:9229`` for
O*NET task 9229), so a badge read back keeps its ids.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from align.frameworks.cmc import CMC_URL
from align.frameworks.lightcast import SKILL_URL
from align.frameworks.nace import NACE_URL

__all__ = [
    "ONET_ONLINE",
    "TARGET_RULES",
    "Target",
    "TargetRule",
    "competency_id",
    "competency_kind",
    "official_target",
    "onet_descriptor",
    "onet_url",
]

#: O*NET OnLine, where every O*NET page align links lives.
ONET_ONLINE = "https://www.onetonline.org"

_SOC = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
_SOC_IN = re.compile(r"(\d{2}-\d{4}\.\d{2})")
_ELEMENT = re.compile(r"^\d(\.[A-Za-z0-9]+)*$")
_IWA = re.compile(r"\.I\d+$")
_DWA = re.compile(r"\.I\d+\.D\d+$")
_TASK = re.compile(r"^\d{1,7}$")
_UNSPSC = re.compile(r"^\d{8}$")
# Content-model elements without sub-elements above the usual descriptor depth.
_SHALLOW_DESCRIPTORS = frozenset({"1.C.6", "2.C.6", "2.C.10"})

# Content-model areas (first two parts of an element id) and what an element of each is.
_ELEMENT_KINDS = {
    "1.A": "ability",
    "1.B": "interest or work value",
    "1.C": "work style",
    "1.D": "work style",
    "2.A": "skill",
    "2.B": "skill",
    "2.C": "knowledge area",
    "2.D": "education element",
    "4.A": "work activity",
    "4.C": "work context element",
}


@dataclass(frozen=True)
class Target:
    """Where a competency's official page is, and what it is.

    Attributes
    ----------
    url : str
        The page.
    kind : str
        What the competency is, in words ("detailed work activity", "skill").
    note : str
        Empty when the page names this competency; otherwise one sentence saying
        what the page is ("O*NET OnLine has no page for a single task; ...").
    """

    url: str
    kind: str
    note: str = ""


@dataclass(frozen=True)
class TargetRule:
    """One row of the documented table: a framework's kind, its page and an example."""

    framework: str
    kind: str
    page: str
    example_id: str
    example_url: str
    names_it: str


#: The rule for every framework and kind, with an example (tests check each example).
TARGET_RULES: tuple[TargetRule, ...] = (
    TargetRule(
        "onet",
        "occupation",
        f"{ONET_ONLINE}/link/summary/<O*NET-SOC code>",
        "onet:15-2051.00",
        f"{ONET_ONLINE}/link/summary/15-2051.00",
        "the occupation's summary",
    ),
    TargetRule(
        "onet",
        "skill, knowledge, ability, work style, work activity",
        f"{ONET_ONLINE}/find/descriptor/result/<element id>",
        "onet:2.A.2.a",
        f"{ONET_ONLINE}/find/descriptor/result/2.A.2.a",
        "the descriptor's page (its name, definition and the occupations that need it)",
    ),
    TargetRule(
        "onet",
        "category of descriptors (Basic Skills, Cognitive Abilities, ...)",
        f"{ONET_ONLINE}/find/descriptor/browse/<element id>",
        "onet:2.A.1",
        f"{ONET_ONLINE}/find/descriptor/browse/2.A.1",
        "the category's page, listing its descriptors",
    ),
    TargetRule(
        "onet",
        "intermediate work activity (IWA)",
        f"{ONET_ONLINE}/find/descriptor/result/<IWA id>",
        "onet:4.A.4.a.5.I01",
        f"{ONET_ONLINE}/find/descriptor/result/4.A.4.a.5.I01",
        "the activity's own page",
    ),
    TargetRule(
        "onet",
        "detailed work activity (DWA)",
        f"{ONET_ONLINE}/find/descriptor/result/<DWA id>",
        "onet:4.A.4.a.5.I01.D06",
        f"{ONET_ONLINE}/find/descriptor/result/4.A.4.a.5.I01.D06",
        "the activity's own page",
    ),
    TargetRule(
        "onet",
        "task",
        f"{ONET_ONLINE}/link/details/<O*NET-SOC code of its occupation>",
        "onet:task:9229",
        f"{ONET_ONLINE}/link/details/21-1091.00",
        "no page of its own: the occupation's details list it (targetDescription says so)",
    ),
    TargetRule(
        "onet",
        "technology skill example",
        f"{ONET_ONLINE}/search/tech/example?e=<example>",
        "onet:tech:python",
        f"{ONET_ONLINE}/search/tech/example?e=Python",
        "the example's page (the occupations that use it)",
    ),
    TargetRule(
        "esco",
        "skill, knowledge, occupation",
        "http://data.europa.eu/esco/<type>/<uuid>",
        "esco:http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab",
        "http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab",
        "the concept URI, which resolves to the concept's page on the ESCO portal",
    ),
    TargetRule(
        "lightcast",
        "skill",
        SKILL_URL.format(id="<skill id>"),
        "lightcast:KS1200364C9C1LK3V5Q1",
        SKILL_URL.format(id="KS1200364C9C1LK3V5Q1"),
        "the skill's page",
    ),
    TargetRule(
        "nace",
        "competency",
        NACE_URL,
        "nace:communication",
        NACE_URL,
        "NACE's Career Readiness Competencies page, where NACE defines the eight competencies "
        "(one page for all; align links it without an anchor)",
    ),
    TargetRule(
        "nace",
        "sample behaviour",
        NACE_URL,
        "nace:communication.b1",
        NACE_URL,
        "the same page; targetDescription says which competency the behaviour belongs to",
    ),
    TargetRule(
        "cmc",
        "competency (tiers 1-3)",
        CMC_URL,
        "cmc:tier1.interpersonal_skills",
        CMC_URL,
        "the Building Blocks model page (one page for the whole model)",
    ),
)


def onet_url(cid: str, *, leaf: bool = True, occupation: str = "", label: str = "") -> str:
    """The O*NET OnLine page of an O*NET competency id (without the ``onet:`` prefix
    or with it).

    Parameters
    ----------
    cid : str
        ``15-2051.00``, ``2.A.2.a``, ``4.A.4.a.5.I01.D06``, ``task:9229``,
        ``tech:python`` or ``unspsc:43232306`` (``onet:`` optional).
    leaf : bool
        For a content-model element: a descriptor (True) or a category (False).
    occupation : str
        For a task: the O*NET-SOC code of its occupation.
    label : str
        For a technology example or commodity: its name (the page searches by name).

    Examples
    --------
    >>> onet_url("onet:4.A.4.a.5.I01.D06")
    'https://www.onetonline.org/find/descriptor/result/4.A.4.a.5.I01.D06'
    >>> onet_url("task:9229", occupation="15-2051.00")
    'https://www.onetonline.org/link/details/15-2051.00'
    >>> onet_url("2.A.1", leaf=False)
    'https://www.onetonline.org/find/descriptor/browse/2.A.1'
    """
    local = cid.removeprefix("onet:")
    if _SOC.match(local):
        return f"{ONET_ONLINE}/link/summary/{local}"
    if local.startswith("task:"):
        return f"{ONET_ONLINE}/link/details/{occupation}"
    if local.startswith("tech:"):
        return f"{ONET_ONLINE}/search/tech/example?e={quote_plus(label)}"
    if local.startswith("unspsc:"):
        return f"{ONET_ONLINE}/search/tech/?s={quote_plus(label)}"
    page = "result" if leaf or _IWA.search(local) or _DWA.search(local) else "browse"
    return f"{ONET_ONLINE}/find/descriptor/{page}/{quote(local, safe='.')}"


def onet_descriptor(element_id: str) -> bool:
    """True for a content-model element that is a descriptor (a skill, an ability, a
    work activity, ...), False for a category of descriptors: abilities and work
    activities sit five levels deep (``1.A.1.a.1``, ``4.A.1.a.1``), the others four
    (``2.A.1.a``), with three shallower ones (``1.C.6``, ``2.C.6``, ``2.C.10``).
    IWAs and DWAs are activities.

    Examples
    --------
    >>> onet_descriptor("2.A.2.a"), onet_descriptor("2.A.1"), onet_descriptor("1.A.1.a")
    (True, False, False)
    """
    local = element_id.removeprefix("onet:")
    if _IWA.search(local) or _DWA.search(local) or local in _SHALLOW_DESCRIPTORS:
        return True
    depth = local.count(".") + 1
    return depth >= (5 if local.startswith(("1.A", "4.A")) else 4)


def competency_kind(framework: str, cid: str) -> str:
    """What a competency is, in words, from its framework and id.

    Examples
    --------
    >>> competency_kind("onet", "onet:4.A.4.a.5.I01.D06")
    'detailed work activity'
    >>> competency_kind("onet", "onet:task:9229"), competency_kind("nace", "nace:teamwork.b2")
    ('task', 'sample behaviour')
    """
    local = cid.split(":", 1)[1] if ":" in cid else cid
    if framework == "onet":
        if _SOC.match(local):
            return "occupation"
        if local.startswith("task:"):
            return "task"
        if local.startswith("tech:"):
            return "technology skill example"
        if local.startswith("unspsc:"):
            return "technology category"
        if _DWA.search(local):
            return "detailed work activity"
        if _IWA.search(local):
            return "intermediate work activity"
        if _ELEMENT.match(local):
            return _ELEMENT_KINDS.get(".".join(local.split(".")[:2]), "descriptor")
        return "competency"
    if framework == "esco":
        kind = local.removeprefix("http://data.europa.eu/esco/").split("/", 1)[0]
        return {"skill": "skill or knowledge concept", "occupation": "occupation"}.get(
            kind, "concept"
        )
    if framework == "lightcast":
        return "skill"
    if framework == "nace":
        return "sample behaviour" if re.search(r"\.b\d+$", local) else "competency"
    if framework == "cmc":
        return "competency area" if re.match(r"^tier\d+$", local) else "competency"
    return "competency"


@functools.cache
def _nace_labels() -> dict[str, str]:
    from align.frameworks.nace import load_nace

    comps = load_nace(data_dir="/nonexistent").competencies
    return dict(zip(comps["code"].astype(str), comps["label"].astype(str), strict=True))


def _onet_target(cid: str, code: str, label: str, url: str | None) -> Target | None:
    local = cid.removeprefix("onet:")
    kind = competency_kind("onet", cid)
    if kind == "task":
        soc = _SOC_IN.search(url or "")
        if soc is None:
            return None
        return Target(
            onet_url(local, occupation=soc.group(1)),
            kind,
            f"O*NET OnLine has no page for a single task; the link opens the details of "
            f"occupation {soc.group(1)}, which list it.",
        )
    if kind == "technology skill example":
        return Target(onet_url(local, label=code or label), kind)
    if kind == "technology category":
        return Target(onet_url(local, label=label or code), kind)
    leaf = onet_descriptor(local) if _ELEMENT.match(local) else True
    return Target(onet_url(local, leaf=leaf), kind if leaf else "category")


def official_target(
    framework: str, cid: str, code: str = "", label: str = "", url: str | None = None
) -> Target | None:
    """The official page of one competency, by :data:`TARGET_RULES`.

    Parameters
    ----------
    framework : str
        Framework key (``onet``, ``esco``, ``lightcast``, ``nace``, ``cmc``).
    cid : str
        align's namespaced id (``onet:2.A.2.a``).
    code, label : str
        The competency's code and name (technology examples are found by name).
    url : str, optional
        The page recorded with the alignment; used only where the id alone does
        not say it (a task's occupation).

    Returns
    -------
    Target or None
        None for frameworks align has no rule for (CASE packages, spreadsheets:
        their recorded page is used) and for a task whose occupation is unknown.

    Examples
    --------
    >>> official_target("onet", "onet:4.A.4.a.5.I01.D06").url
    'https://www.onetonline.org/find/descriptor/result/4.A.4.a.5.I01.D06'
    >>> t = official_target("onet", "onet:task:9229",
    ...                     url="https://www.onetonline.org/link/summary/15-2051.00")
    >>> t.url
    'https://www.onetonline.org/link/details/15-2051.00'
    >>> t.note.startswith("O*NET OnLine has no page for a single task")
    True
    >>> official_target("nace", "nace:teamwork.b2").note[:52]
    "A sample behaviour of the NACE competency 'Teamwork'"
    """
    local = cid.split(":", 1)[1] if ":" in cid else cid
    if framework == "onet":
        return _onet_target(cid, code, label, url)
    if framework == "esco":
        if local.startswith("http://data.europa.eu/esco/"):
            return Target(local, competency_kind("esco", cid))
        return None
    if framework == "lightcast":
        return Target(SKILL_URL.format(id=quote(code or local, safe="")), "skill")
    if framework == "nace":
        kind = competency_kind("nace", cid)
        if kind == "sample behaviour":
            parent = _nace_labels().get(local.rsplit(".", 1)[0], "")
            of = f" of the NACE competency {parent!r}" if parent else " of a NACE competency"
            return Target(
                NACE_URL,
                kind,
                f"A sample behaviour{of}; the link opens NACE's Career Readiness Competencies "
                "page.",
            )
        return Target(NACE_URL, kind)
    if framework == "cmc":
        return Target(CMC_URL, competency_kind("cmc", cid))
    return None


def _tech_slug(text: str) -> str:
    s = text.lower().replace("c++", "cpp").replace("c#", "csharp").replace("f#", "fsharp")
    s = s.replace("+", "plus").replace("#", "sharp").replace("&", "and").replace("@", "at")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or "item"


@functools.cache
def _cmc_ids() -> dict[str, str]:
    from align.frameworks.cmc import load_cmc

    comps = load_cmc(data_dir="/nonexistent").competencies
    return dict(zip(comps["code"].astype(str), comps["id"].astype(str), strict=True))


def competency_id(framework: str, code: str, url: str | None = None, label: str = "") -> str:
    """align's namespaced id of a competency from what a badge carries (code, page, name).

    Examples
    --------
    >>> competency_id("onet", "9229", "https://www.onetonline.org/link/details/15-2051.00")
    'onet:task:9229'
    >>> competency_id("onet", "4.A.4.a.5.I01.D06")
    'onet:4.A.4.a.5.I01.D06'
    >>> competency_id("onet", "Python")
    'onet:tech:python'
    >>> competency_id("esco", "S1.2", "http://data.europa.eu/esco/skill/abc")
    'esco:http://data.europa.eu/esco/skill/abc'
    >>> competency_id("cmc", "1.1")
    'cmc:tier1.interpersonal_skills'
    """
    code = code.strip()
    if framework == "onet" and code:
        if _SOC.match(code) or _ELEMENT.match(code):
            return f"onet:{code}"
        if _TASK.match(code):
            return f"onet:task:{code}"
        if _UNSPSC.match(code):
            return f"onet:unspsc:{code}"
        return f"onet:tech:{_tech_slug(code)}"
    if framework == "esco" and url and url.startswith("http://data.europa.eu/esco/"):
        return f"esco:{url}"
    if framework == "cmc" and code and code in _cmc_ids():
        return _cmc_ids()[code]
    return f"{framework}:{code}" if code else f"{framework}:{url or label}"
