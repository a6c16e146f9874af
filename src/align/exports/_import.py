"""Read a badge's alignments back: Open Badges 3.0 or 2.0 JSON -> reviewed alignments.

Accepted inputs: an OB 3.0 ``OpenBadgeCredential`` (or ``AchievementCredential``)
or a bare ``Achievement``; an OB 2.0 ``BadgeClass`` or an ``Assertion`` with its
BadgeClass embedded. The framework of each alignment is found from the OB 3.0
``targetType`` (the ``ext:`` values align writes, ``CFItem`` for CASE), else
from the ``targetFramework`` name, else from the ``targetUrl``'s site. An
alignment inside an OB 3.0 ``ResultDescription`` whose id ends in
``#outcome-<id>`` (as align writes them) is attached to that outcome; the
others belong to the credential as a whole (``outcome: null``). Imported
alignments have ``status: accepted`` and ``source: import``.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from align._safeio import MAX_DOCUMENT_BYTES, load_data
from align._warnings import user_stacklevel
from align.exceptions import AlignDataWarning, InvalidArgumentError
from align.exports._alignments import FRAMEWORKS, coerce_alignment
from align.proposals import Proposal, ReviewedAlignment

__all__ = ["add_alignments", "import_badge_alignments"]

_HOSTS = {
    "onetonline.org": "onet",
    "onetcenter.org": "onet",
    "data.europa.eu": "esco",
    "esco.ec.europa.eu": "esco",
    "lightcast.io": "lightcast",
    "naceweb.org": "nace",
    "careeronestop.org": "cmc",
}
_OUTCOME = re.compile(r"#outcome-(.+)$")
_SHAPE = (
    'expected an Open Badges 3.0 credential or Achievement ("type" includes '
    '"OpenBadgeCredential" or "Achievement") or an Open Badges 2.0 BadgeClass or Assertion'
)


def _types(obj: Any) -> set[str]:
    t = obj.get("type", obj.get("@type", [])) if isinstance(obj, dict) else []
    return {t} if isinstance(t, str) else {str(x) for x in t} if isinstance(t, list) else set()


def _framework(al: dict[str, Any]) -> tuple[str, str]:
    """(framework key, version) of an alignment."""
    ttype = str(al.get("targetType") or "")
    name = str(al.get("targetFramework") or "").strip()
    key = ""
    if ttype:
        key = next((k for k, m in FRAMEWORKS.items() if m.target_type == ttype), "")
    version = ""
    for k, meta in sorted(FRAMEWORKS.items(), key=lambda kv: -len(kv[1].name)):
        if name.startswith(meta.name):
            key = key or k
            if key == k:
                version = name[len(meta.name) :].strip()
            break
    if not key:
        host = urlsplit(str(al.get("targetUrl") or "")).netloc.lower()
        key = next((k for h, k in _HOSTS.items() if host == h or host.endswith("." + h)), "")
    if not key:
        key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "imported"
        version = ""
    return key, version


_BUILTIN_IDS: dict[str, dict[str, str]] = {}


def _resolve_id(key: str, code: str, url: str | None, label: str) -> str:
    """align's namespaced id: ESCO ids are concept URIs; CMC codes (1.2) map to ids."""
    if key == "esco" and url and url.startswith("http://data.europa.eu/esco/"):
        return f"esco:{url}"
    if key == "cmc" and code:
        if "cmc" not in _BUILTIN_IDS:
            from align.frameworks.cmc import load_cmc

            comps = load_cmc(data_dir=os.devnull).competencies
            _BUILTIN_IDS["cmc"] = dict(zip(comps["code"].astype(str), comps["id"], strict=True))
        found = _BUILTIN_IDS["cmc"].get(code)
        if found:
            return found
    return f"{key}:{code}" if code else f"{key}:{url or label}"


def _alignment(al: Any, outcome: str | None) -> ReviewedAlignment | None:
    if not isinstance(al, dict) or not al.get("targetName"):
        return None
    key, version = _framework(al)
    code = str(al.get("targetCode") or "").strip()
    url = str(al.get("targetUrl") or "").strip() or None
    ident = _resolve_id(key, code, url, str(al["targetName"]))
    desc = al.get("targetDescription")
    if desc == f"{al['targetName']}: {code} in {al.get('targetFramework') or ''}".strip():
        desc = None  # the placeholder align writes when the competency has no description
    return ReviewedAlignment(
        outcome=outcome,
        framework=key,
        framework_version=version,
        id=ident,
        code=code,
        label=str(al["targetName"]),
        url=url,
        description=str(desc) if desc else None,
        score=None,
        status="accepted",
        source="import",
    )


def _from_achievement(ach: dict[str, Any]) -> list[ReviewedAlignment]:
    out: list[ReviewedAlignment] = []
    per_outcome: set[str] = set()
    for rd in ach.get("resultDescription") or []:
        if not isinstance(rd, dict):
            continue
        m = _OUTCOME.search(str(rd.get("id") or ""))
        outcome = m.group(1) if m else None
        for al in rd.get("alignment") or []:
            a = _alignment(al, outcome)
            if a is not None:
                out.append(a)
                per_outcome.add(a.id)
    for al in ach.get("alignment") or []:
        a = _alignment(al, None)
        if a is not None and a.id not in per_outcome:
            out.append(a)
    return out


def import_badge_alignments(
    source: dict[str, Any] | str | os.PathLike[str],
) -> list[ReviewedAlignment]:
    """The alignments of an Open Badges 3.0 or 2.0 badge, as reviewed alignments.

    Parameters
    ----------
    source : dict or path
        The badge JSON (parsed, or a file).

    Returns
    -------
    list of ReviewedAlignment
        ``status="accepted"``, ``source="import"``; per-outcome ones first.

    Raises
    ------
    InvalidArgumentError
        The file is missing, not JSON, or not an Open Badges 3.0/2.0 badge.

    Examples
    --------
    >>> badge = {"type": "BadgeClass", "alignment": [{"targetName": "Communication",
    ...     "targetUrl": "https://www.naceweb.org/career-readiness/competencies/",
    ...     "targetFramework": "NACE Career Readiness Competencies 2021",
    ...     "targetCode": "communication"}]}
    >>> a = import_badge_alignments(badge)[0]
    >>> a.framework, a.framework_version, a.id, a.source
    ('nace', '2021', 'nace:communication', 'import')
    """
    if isinstance(source, dict):
        data: Any = source
        where = "the badge"
    else:
        path = Path(source).expanduser()
        where = f"badge file '{path}'"
        if not path.is_file():
            raise InvalidArgumentError(
                f"{where} does not exist; give the path of a badge JSON file."
            )
        # Regular files only, size, depth, repeated-key, number and encoding limits.
        data = load_data(
            path, "badge file", error=InvalidArgumentError, max_bytes=MAX_DOCUMENT_BYTES, fmt="json"
        )
    if not isinstance(data, dict):
        raise InvalidArgumentError(f"{where} holds a JSON {type(data).__name__}; {_SHAPE}.")
    types = _types(data)
    if types & {"OpenBadgeCredential", "AchievementCredential", "VerifiableCredential"}:
        subject = data.get("credentialSubject")
        subject = subject[0] if isinstance(subject, list) and subject else subject
        ach = subject.get("achievement") if isinstance(subject, dict) else None
        if not isinstance(ach, dict):
            raise InvalidArgumentError(
                f"{where} is a credential without credentialSubject.achievement; {_SHAPE}."
            )
        return _from_achievement(ach)
    if "Achievement" in types:
        return _from_achievement(data)
    if "Assertion" in types:
        badge = data.get("badge")
        if not isinstance(badge, dict):
            raise InvalidArgumentError(
                f"{where} is an Open Badges 2.0 Assertion whose badge is a URL, not embedded; "
                "download the BadgeClass JSON from that URL and import it instead."
            )
        data = badge
        types = _types(badge)
    if "BadgeClass" in types:
        out = [_alignment(al, None) for al in data.get("alignment") or []]
        return [a for a in out if a is not None]
    raise InvalidArgumentError(f"{where} has type {sorted(types) or 'none'}; {_SHAPE}.")


def add_alignments(proposal: Proposal, alignments: list[Any]) -> Proposal:
    """A copy of the proposal with ``alignments`` added to its reviewed alignments.

    An alignment already there (same outcome and competency id) is not added
    twice; one naming an outcome the proposal does not have is attached to the
    credential as a whole, with an :class:`~align.AlignDataWarning`.

    Examples
    --------
    >>> from align.proposals import Proposal
    >>> p = Proposal(title="Team Talk", issuing_unit="Nursing",
    ...              outcomes=[{"id": "LO1", "text": "Give a structured handoff"}])
    >>> al = {"outcome": "LO1", "framework": "nace", "id": "nace:communication",
    ...       "label": "Communication", "url": "https://www.naceweb.org/", "source": "import"}
    >>> q = add_alignments(p, [al, al])
    >>> [(a.outcome, a.id) for a in q.alignments]
    [('LO1', 'nace:communication')]
    """
    outcomes = {o.id for o in proposal.outcomes}
    have = {(a.outcome, a.id) for a in proposal.alignments}
    added: list[ReviewedAlignment] = []
    moved: list[str] = []
    for raw in alignments:
        a = coerce_alignment(raw)
        if a.outcome is not None and a.outcome not in outcomes:
            moved.append(f"{a.label} ({a.outcome})")
            a = a.model_copy(update={"outcome": None})
        if (a.outcome, a.id) in have:
            continue
        have.add((a.outcome, a.id))
        added.append(a)
    if moved:
        warnings.warn(
            f"{len(moved)} alignment(s) name outcomes this proposal does not have "
            f"({'; '.join(moved[:5])}); they were attached to the credential as a whole.",
            AlignDataWarning,
            stacklevel=user_stacklevel(),
        )
    return proposal.model_copy(update={"alignments": [*proposal.alignments, *added]})
