"""Read a badge's alignments back, and put them into a proposal without changing its decisions.

:func:`import_badge_alignments` reads every format align exports (Open Badges
3.0 and 2.0, Credly, CASE, CTDL, CSV; see :mod:`align.exports._readers`) and
returns :class:`~align.proposals.ReviewedAlignment` records that keep

- **review state**: alignments the badge marks unreviewed come back with
  ``status="unreviewed"`` (never ``accepted``);
- **ids**: align's namespaced id is rebuilt from the framework, code and page
  (``onet:task:9229``, not ``onet:9229``;
  :func:`align.frameworks._targets.competency_id`);
- **outcome links**: from the format's own structure, or the criteria text
  align writes.

Every alignment is checked before anything is kept: its page must pass the URL
policy (http(s), on its framework's official site, no ``javascript:``,
``file:``, ``data:`` or look-alike hosts), its name must be text within the
proposal's field limit. Any failure refuses the whole badge with one message
listing each problem.

:func:`add_alignments` merges them: a faculty decision already in the proposal
is never overridden, reviewed alignments go to ``alignments`` and unreviewed
ones to ``unreviewed_alignments``, and importing the same badge twice changes
nothing.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from align._safeio import MAX_DOCUMENT_BYTES, check_regular_file, decode_text, load_data
from align._urls import FRAMEWORK_HOSTS, host_of, url_problem
from align._warnings import warn
from align.exceptions import InvalidArgumentError
from align.exports._alignments import FRAMEWORKS, coerce_alignment
from align.exports._ctdl import PUBLISH_ENDPOINTS
from align.exports._readers import (
    Found,
    _types,
    read_case,
    read_credly,
    read_csv_rows,
    read_ctdl,
    read_ob,
)
from align.exports._text import split_description
from align.frameworks._targets import competency_id, official_target
from align.proposals import Proposal, ReviewedAlignment
from align.proposals._parts import MAX_FIELD_CHARS

__all__ = ["MAX_BADGE_ALIGNMENTS", "add_alignments", "import_badge_alignments"]

#: Most alignments one badge may carry (a badge lists a credential's competencies).
MAX_BADGE_ALIGNMENTS = 2_000
_SHAPE = (
    "expected a badge align can read: an Open Badges 3.0 credential or Achievement, an Open "
    "Badges 2.0 BadgeClass or Assertion, a Credly badge template, align's CASE package or CTDL "
    "export of a credential, or align's alignments CSV"
)


def _framework(f: Found) -> tuple[str, str]:
    """(framework key, version) of an alignment."""
    if f.framework:
        return f.framework, f.version
    ttype = str(f.target_type or "")
    name = str(f.framework_text or "").strip()
    key = next((k for k, m in FRAMEWORKS.items() if ttype and m.target_type == ttype), "")
    version = ""
    for k, meta in sorted(FRAMEWORKS.items(), key=lambda kv: -len(kv[1].name)):
        if name.startswith(meta.name) and (not key or key == k):
            key, version = k, name[len(meta.name) :].strip()
            break
    if not key and isinstance(f.url, str):
        host = host_of(f.url)
        key = next(
            (k for k, hosts in FRAMEWORK_HOSTS.items() if any(host == h or host.endswith("." + h)
                                                             for h in hosts)),
            "",
        )  # fmt: skip
    if not key:
        key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "imported"
    return key, version


def _text_field(value: Any, what: str, where: str, problems: list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        kind = "JSON object" if isinstance(value, dict) else type(value).__name__
        problems.append(f"{where}: its {what} is a {kind}, not text")
        return None
    if len(value) > MAX_FIELD_CHARS:
        problems.append(
            f"{where}: its {what} is {len(value):,} characters long, more than the "
            f"{MAX_FIELD_CHARS:,} a proposal field holds"
        )
        return None
    return value


def _build(f: Found, problems: list[str]) -> list[ReviewedAlignment]:
    name = _text_field(f.name, "name", f.where, problems)
    if f.name is None or (isinstance(f.name, str) and not f.name.strip()):
        problems.append(f"{f.where}: it has no name (targetName)")
        return []
    code = _text_field(f.code, "code", f.where, problems)
    described = _text_field(f.description, "description", f.where, problems)
    framework_text = _text_field(f.framework_text, "framework", f.where, problems) or ""
    if name is None or (code is None and f.code):
        return []
    key, version = _framework(f)
    url = f.url.strip() if isinstance(f.url, str) else f.url
    why = url_problem(url, framework=key)
    if why is not None:
        problems.append(f"{f.where} ({name[:80]!r}): its page {str(url)[:120]!r} is refused: {why}")
        return []
    cid = f.cid or competency_id(key, (code or "").strip(), url, name)
    target = official_target(key, cid, code or "", name, url)
    description = (
        split_description(described, framework_text or f"{key} {version}".strip(),
                          target.note if target else "")
        if described
        else None
    )  # fmt: skip
    extra = f.extra
    out = []
    for outcome in sorted(f.outcomes, key=lambda o: (o is not None, o or "")):
        status = extra.get("status") or ("unreviewed" if f.outcomes[outcome] else "accepted")
        try:
            out.append(
                ReviewedAlignment.model_validate(
                    {
                        "outcome": outcome,
                        "framework": key,
                        "framework_version": version,
                        "id": cid,
                        "code": (code or "").strip(),
                        "label": name.strip(),
                        "url": url,
                        "description": description or None,
                        "score": _score(extra.get("score")),
                        "status": status,
                        "source": extra.get("source") or "import",
                        "reviewed_by": extra.get("reviewed_by") or None,
                        "reviewed_at": extra.get("reviewed_at") or None,
                    }
                )
            )
        except ValidationError as exc:
            fields = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            problems.append(f"{f.where} ({name[:80]!r}): {fields}")
            return []
    return out


def _score(value: Any) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def _read_file(path: Path) -> Any:
    where = f"badge file '{path}'"
    if not path.exists():
        raise InvalidArgumentError(f"{where} does not exist; give the path of a badge file.")
    if path.suffix.lower() == ".csv":
        check_regular_file(path, "badge file", error=InvalidArgumentError)
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise InvalidArgumentError(
                f"{where} is {size / 1e6:,.1f} MB, more than the "
                f"{MAX_DOCUMENT_BYTES / 1e6:,.0f} MB align reads; check that it is the right file."
            )
        text = decode_text(path.read_bytes(), str(path), error=InvalidArgumentError)
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise InvalidArgumentError(f"{where} is not a readable CSV ({exc}).") from None
        if not rows or "competency_id" not in rows[0] or "label" not in rows[0]:
            raise InvalidArgumentError(
                f"{where} is not align's alignments CSV (columns outcome, framework, "
                "competency_id, label, url, status, ...); export one with `align export "
                "--to csv`."
            )
        return rows
    # Regular files only, size, depth, repeated-key, number and encoding limits.
    return load_data(
        path, "badge file", error=InvalidArgumentError, max_bytes=MAX_DOCUMENT_BYTES, fmt="json"
    )


def _records(data: Any, where: str) -> list[Found]:
    if (
        isinstance(data, list)
        and (not data or isinstance(data[0], dict))
        and data
        and ("competency_id" in data[0])
    ):
        return read_csv_rows(data)
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
        return read_ob(ach, "tag")
    if "Achievement" in types:
        return read_ob(data, "tag")
    if "Assertion" in types:
        badge = data.get("badge")
        if not isinstance(badge, dict):
            raise InvalidArgumentError(
                f"{where} is an Open Badges 2.0 Assertion whose badge is a URL, not embedded; "
                "download the BadgeClass JSON from that URL and import it instead."
            )
        return read_ob(badge, "tags")
    if "BadgeClass" in types:
        return read_ob(data, "tags")
    if PUBLISH_ENDPOINTS[1] in data or "GraphInput" in data or "@graph" in data:
        body = data.get(PUBLISH_ENDPOINTS[1], data)
        graph = (body.get("GraphInput") or body) if isinstance(body, dict) else {}
        language = str(body.get("DefaultLanguage") or "") if isinstance(body, dict) else ""
        nodes = graph.get("@graph") if isinstance(graph, dict) else None
        if isinstance(nodes, list):
            return read_ctdl(nodes, language)
    if "CFDocument" in data and "CFItems" in data:
        ext = (
            data["CFDocument"].get("extensions", {}) if isinstance(data["CFDocument"], dict) else {}
        )
        if not (isinstance(ext, dict) and isinstance(ext.get("align"), dict)
                and ext["align"].get("credential")):  # fmt: skip
            raise InvalidArgumentError(
                f"{where} is a CASE framework package, not a credential's; load it as a "
                "framework (`align frameworks show FILE`) instead of importing it as a badge."
            )
        return read_case(data)
    if "badge_template_activities" in data or ("alignments" in data and "skills" in data):
        return read_credly(data)
    raise InvalidArgumentError(f"{where} has type {sorted(types) or 'none'}; {_SHAPE}.")


def import_badge_alignments(
    source: dict[str, Any] | list[Any] | str | os.PathLike[str],
) -> list[ReviewedAlignment]:
    """The alignments of a badge, with their review state, ids and outcomes.

    Parameters
    ----------
    source : dict, list or path
        The badge (parsed JSON, CSV rows as dicts, or a file: ``.csv`` is read
        as align's alignments CSV, anything else as JSON).

    Returns
    -------
    list of ReviewedAlignment
        ``source="import"`` (CSV rows keep theirs); ``status`` ``accepted``, or
        ``unreviewed`` when the badge marks them unreviewed.

    Raises
    ------
    InvalidArgumentError
        The file is missing, not readable, not a badge; or an alignment is
        refused (its page breaks the URL policy, its name is not text or is
        too long): the message lists every problem, and nothing is imported.

    Examples
    --------
    >>> badge = {"type": "BadgeClass", "tags": ["alignments-unreviewed"], "alignment": [
    ...     {"targetName": "Communication",
    ...      "targetUrl": "https://www.naceweb.org/career-readiness/competencies/",
    ...      "targetFramework": "NACE Career Readiness Competencies 2021",
    ...      "targetCode": "communication"}]}
    >>> a = import_badge_alignments(badge)[0]
    >>> a.framework, a.framework_version, a.id, a.status
    ('nace', '2021', 'nace:communication', 'unreviewed')
    """
    if isinstance(source, (dict, list)):
        data: Any = source
        where = "the badge"
    else:
        path = Path(source).expanduser()
        where = f"badge file '{path}'"
        data = _read_file(path)
    records = _records(data, where)
    if len(records) > MAX_BADGE_ALIGNMENTS:
        raise InvalidArgumentError(
            f"{where} has {len(records):,} alignments, more than the {MAX_BADGE_ALIGNMENTS:,} "
            "align reads from one badge; check that it is the right file."
        )
    problems: list[str] = []
    out: list[ReviewedAlignment] = []
    for f in records:
        out += _build(f, problems)
    if problems:
        shown = "; ".join(problems[:10]) + (
            f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        )
        raise InvalidArgumentError(
            f"{where} was not imported: {shown}. Fix or remove these alignments in the badge "
            "(an alignment must link its competency's official page) and import it again."
        )
    return out


def add_alignments(proposal: Proposal, alignments: list[Any]) -> Proposal:
    """A copy of the proposal with ``alignments`` merged in, deciding nothing for faculty.

    - an alignment the proposal already decided (same outcome and competency id,
      accepted or rejected) is left as the proposal has it;
    - a reviewed (``accepted`` or ``rejected``) one is added to ``alignments``
      and leaves ``unreviewed_alignments``;
    - an ``unreviewed`` one goes to ``unreviewed_alignments``, once;
    - one naming an outcome the proposal does not have is attached to the
      credential as a whole, with an :class:`~align.AlignDataWarning`.

    Adding the same alignments twice changes nothing.

    Examples
    --------
    >>> from align.proposals import Proposal
    >>> p = Proposal(title="Team Talk", issuing_unit="Nursing",
    ...              outcomes=[{"id": "LO1", "text": "Give a structured handoff"}])
    >>> al = {"outcome": "LO1", "framework": "nace", "id": "nace:communication",
    ...       "label": "Communication", "url": "https://www.naceweb.org/", "source": "import",
    ...       "status": "unreviewed"}
    >>> q = add_alignments(p, [al, al])
    >>> [(a.outcome, a.id, a.status) for a in q.unreviewed_alignments], q.alignments
    ([('LO1', 'nace:communication', 'unreviewed')], [])
    >>> add_alignments(q, [al]) == q
    True
    """
    outcomes = {o.id for o in proposal.outcomes}
    decided = {(a.outcome, a.id) for a in proposal.alignments}
    pending = list(proposal.unreviewed_alignments)
    waiting = {(a.outcome, a.id) for a in pending}
    added: list[ReviewedAlignment] = []
    moved: list[str] = []
    for raw in alignments:
        a = coerce_alignment(raw)
        if a.outcome is not None and a.outcome not in outcomes:
            moved.append(f"{a.label} ({a.outcome})")
            a = a.model_copy(update={"outcome": None})
        key = (a.outcome, a.id)
        if key in decided:
            continue
        if a.status == "unreviewed":
            if key not in waiting:
                waiting.add(key)
                pending.append(a)
            continue
        decided.add(key)
        added.append(a)
        pending = [p for p in pending if (p.outcome, p.id) != key]
    if moved:
        warn(
            f"{len(moved)} alignment(s) name outcomes this proposal does not have "
            f"({'; '.join(moved[:5])}); they were attached to the credential as a whole.",
        )
    update = {"alignments": [*proposal.alignments, *added], "unreviewed_alignments": pending}
    return proposal.model_copy(update=update)
