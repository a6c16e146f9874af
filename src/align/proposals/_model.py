"""Micro-credential proposals and stacks: documented models, YAML/JSON in and out.

A proposal is what a faculty member fills in: title, issuing unit, type,
credits, learning outcomes with their assessment and evidence artifact, target
occupations, partners, endorsements and expiry. A stack lists smaller
credentials that build toward a larger badge, certificate or degree.

Both load from YAML or JSON with :func:`load_proposal` / :func:`load_stack`;
any problem becomes a :class:`~align.exceptions.ProposalError` that names the
file and the field, says what was found and what is expected.

Proposal fields (YAML keys)
    ``id``                 short identifier (default: made from the title)
    ``title``              the credential's title
    ``description``        one or two sentences for learners
    ``issuing_unit``       department, school or office that issues it
    ``type``               ``academic`` (credit-bearing), ``enhancement``
                           (co-curricular) or ``post-traditional`` (non-degree
                           learners); the allowed list lives in the policy
    ``credits``            credit hours (0 for non-credit)
    ``outcomes``           list of ``{id, text, assessment, evidence}``
    ``target_occupations`` O*NET-SOC codes (``15-2051.00``)
    ``region``             labor-market region (state, MSA or county) or empty
    ``frameworks``         frameworks to align to (default onet, nace, cmc)
    ``stacks_into``        ids or titles of the larger credentials it builds toward
    ``partners``           list of ``{name, level, role}``; level is one of
                           :data:`COLLABORATION_LEVELS`
    ``endorsements``       list of ``{by, statement, date}``
    ``expiry``             date the credential stops being valid, or empty
    ``alignments``         faculty-reviewed alignments, list of
                           :class:`ReviewedAlignment` (``outcome``, ``framework``,
                           ``id``, ``label``, ``status`` accepted/rejected, ...)
    ``unreviewed_alignments`` alignments nobody has reviewed yet (read from a
                           badge tagged ``alignments-unreviewed``), ``status:
                           unreviewed``; badges carry them marked unreviewed and
                           the score ignores them until faculty decide

:func:`save_proposal` writes a proposal back (YAML or JSON) atomically, so a
reader never sees half a file, and refuses to write one larger than
:func:`load_proposal` reads.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from align._config import PathLike
from align._safeio import MAX_DOCUMENT_BYTES, load_data
from align._warnings import warn
from align.exceptions import AlignDataWarning, ProposalError
from align.proposals._parts import (
    COLLABORATION_LEVELS,
    DEFAULT_TYPES,
    MAX_OUTCOMES,
    Endorsement,
    Outcome,
    Partner,
    ReviewedAlignment,
    _Model,
)

__all__ = [
    "COLLABORATION_LEVELS",
    "DEFAULT_TYPES",
    "Endorsement",
    "Outcome",
    "Partner",
    "Proposal",
    "ReviewedAlignment",
    "Stack",
    "load_proposal",
    "load_stack",
    "save_proposal",
]


_SOC_RE = re.compile(r"^\d{2}-\d{4}(\.\d{2})?$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "credential"


class Proposal(_Model):
    """A proposed micro-credential.

    See the module docstring for every field; :func:`load_proposal` reads one
    from YAML or JSON.

    Examples
    --------
    >>> p = Proposal(title="Data Storytelling", issuing_unit="Statistics",
    ...              type="enhancement", credits=0,
    ...              outcomes=[{"id": "LO1", "text": "Create a dashboard that answers a question",
    ...                         "evidence": "dashboard"}],
    ...              target_occupations=["15-2051.00"])
    >>> p.id, p.outcomes[0].id, p.target_occupations
    ('data-storytelling', 'LO1', ['15-2051.00'])
    """

    id: str = ""
    title: str = Field(min_length=3)
    description: str = ""
    issuing_unit: str = Field(min_length=1)
    type: str = Field(default="academic", description="academic | enhancement | post-traditional")
    credits: float = Field(default=0, ge=0, description="credit hours; 0 for non-credit")
    outcomes: list[Outcome] = Field(default_factory=list, max_length=MAX_OUTCOMES)
    target_occupations: list[str] = Field(default_factory=list)
    region: str | None = None
    frameworks: list[str] = Field(default_factory=lambda: ["onet", "nace", "cmc"])
    stacks_into: list[str] = Field(default_factory=list)
    partners: list[Partner] = Field(default_factory=list)
    endorsements: list[Endorsement] = Field(default_factory=list)
    expiry: _dt.date | None = None
    alignments: list[ReviewedAlignment] = Field(default_factory=list)
    unreviewed_alignments: list[ReviewedAlignment] = Field(default_factory=list)

    _source: str = PrivateAttr("")
    _notes: list[str] = PrivateAttr(default_factory=list)

    @field_validator("type")
    @classmethod
    def _lower_type(cls, value: str) -> str:
        return value.strip().lower().replace("_", "-").replace(" ", "-")

    @field_validator("unreviewed_alignments", mode="before")
    @classmethod
    def _pending_status(cls, value: Any) -> Any:
        # An entry of unreviewed_alignments is unreviewed unless it says otherwise.
        if isinstance(value, list):
            return [
                {**v, "status": v.get("status") or "unreviewed"} if isinstance(v, dict) else v
                for v in value
            ]
        return value

    @field_validator("target_occupations")
    @classmethod
    def _soc_codes(cls, codes: list[str]) -> list[str]:
        out = []
        for code in codes:
            c = str(code).strip().removeprefix("onet:")
            if not _SOC_RE.match(c):
                raise ValueError(
                    f"{code!r} is not an O*NET-SOC code; expected a code like '15-2051.00' "
                    "(find codes at https://www.onetonline.org or with "
                    '`align match "<job title>" --framework onet-occupations`)'
                )
            out.append(c if "." in c else f"{c}.00")
        return out

    @model_validator(mode="wrap")
    @classmethod
    def _note_codes(cls, data: Any, handler: Any) -> Proposal:
        # A bare SOC code ("15-1212") is read as its base O*NET occupation (.00); say so.
        notes = []
        codes = data.get("target_occupations") if isinstance(data, dict) else None
        if isinstance(codes, list):  # anything else is the field validator's to refuse
            for code in codes:
                c = str(code).strip().removeprefix("onet:")
                if _SOC_RE.match(c) and "." not in c:
                    notes.append(
                        f"target occupation {str(code)!r} has no O*NET suffix; it is read as "
                        f"the base occupation {c}.00. Write {c}.00 (or a detailed code such "
                        f"as {c}.01 where O*NET has one) to make this explicit."
                    )
        proposal: Proposal = handler(data)
        proposal._notes = notes
        return proposal

    @property
    def notes(self) -> list[str]:
        """Notes made while reading the proposal (a SOC code read as its .00 occupation)."""
        return list(self._notes)

    @model_validator(mode="after")
    def _check_outcomes(self) -> Proposal:
        if not self.id:
            self.id = _slug(self.title)
        kept = [o for o in self.outcomes if o.text.strip()]
        if len(kept) < len(self.outcomes):
            blank = [o.id for o in self.outcomes if not o.text.strip()]
            warn(
                f"proposal {self.title!r}: outcome(s) {blank} have no text and were left out.",
                AlignDataWarning,
            )
            self.outcomes = kept
        seen: set[str] = set()
        for o in self.outcomes:
            if o.id in seen:
                raise ValueError(
                    f"two outcomes share the id {o.id!r}; give each outcome its own id "
                    "(LO1, LO2, ...)"
                )
            seen.add(o.id)
        decided = [a for a in self.alignments if a.status == "unreviewed"]
        if decided:
            raise ValueError(
                f"alignment {decided[0].id!r} in 'alignments' has status 'unreviewed'; "
                "'alignments' holds faculty decisions (accepted or rejected). Move it to "
                "'unreviewed_alignments', or set its status once it is reviewed"
            )
        pending = [a for a in self.unreviewed_alignments if a.status != "unreviewed"]
        if pending:
            raise ValueError(
                f"alignment {pending[0].id!r} in 'unreviewed_alignments' has status "
                f"{pending[0].status!r}; a reviewed alignment belongs in 'alignments'"
            )
        every = [*self.alignments, *self.unreviewed_alignments]
        unknown = sorted({a.outcome for a in every if a.outcome is not None} - seen)
        if unknown:
            raise ValueError(
                f"alignments name outcome(s) {unknown} that the proposal does not have; use "
                "an outcome id from 'outcomes' (or null for the credential as a whole)"
            )
        return self

    # -- convenience ---------------------------------------------------------
    @property
    def source(self) -> str:
        """The file the proposal was read from ("" when built in code)."""
        return self._source

    @property
    def outcome_texts(self) -> list[str]:
        """The outcome texts, in order."""
        return [o.text for o in self.outcomes]

    def to_dict(self) -> dict[str, Any]:
        """Return the proposal as plain YAML/JSON-ready data."""
        data = self.model_dump(mode="json", exclude_none=True)
        if not data.get("unreviewed_alignments"):
            data.pop("unreviewed_alignments", None)
        return data

    def to_yaml(self) -> str:
        """Return the proposal as YAML text (loads back with :func:`load_proposal`)."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)

    def to_json(self) -> str:
        """Return the proposal as JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def dump(self, path: PathLike) -> Path:
        """Write the proposal to ``path``; ``.json`` writes JSON, anything else YAML.

        Same as :func:`save_proposal` (atomic).
        """
        return save_proposal(self, path)


class Stack(_Model):
    """Smaller credentials that stack into a larger badge, certificate or degree.

    Attributes
    ----------
    id, title, description : str
        What the stack is.
    target : str
        What the stack builds toward: an occupation (``onet:29-1141.00``),
        a framework name (``cmc``) or the path of the larger badge's proposal.
    threshold_credits : float or None
        Credits needed for the certificate or degree the stack counts toward.
    members : list
        The credentials: proposal file paths (relative to the stack file) or
        inline proposals.
    """

    id: str = ""
    title: str = Field(min_length=3)
    description: str = ""
    target: str = ""
    threshold_credits: float | None = Field(default=None, ge=0)
    members: list[Proposal | str] = Field(default_factory=list)

    _source: str = PrivateAttr("")
    _loaded: tuple[tuple[Any, ...], list[Proposal]] | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _default_id(self) -> Stack:
        if not self.id:
            self.id = _slug(self.title)
        return self

    @property
    def source(self) -> str:
        """The file the stack was read from ("" when built in code)."""
        return self._source

    @property
    def credentials(self) -> list[Proposal]:
        """The member proposals (paths are loaded relative to the stack file).

        Member files are read once; the list is read again only when ``members``
        changes.
        """
        key = (self._source, *(m if isinstance(m, str) else id(m) for m in self.members))
        if self._loaded is not None and self._loaded[0] == key:
            return list(self._loaded[1])
        base = Path(self._source).parent if self._source else Path.cwd()
        out = []
        for m in self.members:
            if isinstance(m, Proposal):
                out.append(m)
            else:
                path = Path(m) if Path(m).is_absolute() else base / m
                out.append(load_proposal(path))
        self._loaded = (key, out)
        return list(out)


# -- reading, with errors a faculty member understands ----------------------
_EXPECT = {
    "missing": "this field is required; add it",
    "float_parsing": "expected a number, like 3",
    "float_type": "expected a number, like 3",
    "int_parsing": "expected a whole number",
    "string_type": "expected text",
    "list_type": "expected a list (lines starting with '- ')",
    "dict_type": "expected a group of fields (key: value lines)",
    "model_type": "expected a group of fields (key: value lines)",
    "literal_error": "",
    "date_parsing": "expected a date like 2027-06-30",
    "date_from_datetime_parsing": "expected a date like 2027-06-30",
    "date_type": "expected a date like 2027-06-30",
    "greater_than_equal": "",
    "too_short": "",
    "string_too_short": "",
    "finite_number": "expected a finite number, like 3",
    "string_too_long": "",
    "too_long": "",
}


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"  # 1-based: faculty count outcomes from 1
        elif part in {"Proposal", "str"}:  # union branch names add nothing for readers
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _short(value: Any) -> str:
    """A value as shown in messages: its repr, cut so that a huge value cannot flood them."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _explain(err: Any, model: type[BaseModel]) -> str:
    kind = err["type"]
    where = _loc(err["loc"])
    found = err.get("input")
    if kind == "extra_forbidden":
        field = str(err["loc"][-1])
        known: list[str] = []
        target: Any = model
        for part in err["loc"][:-1]:
            if isinstance(part, str) and target is not None and part in target.model_fields:
                ann = target.model_fields[part].annotation
                args = getattr(ann, "__args__", ())
                target = next(
                    (a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None
                )
        if target is not None:
            known = list(target.model_fields)
        close = difflib.get_close_matches(field, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(known)}"
        return f"field {where!r} is not a field we know ({hint})"
    expected = _EXPECT.get(kind) or err.get("msg", "")
    if kind == "value_error":
        expected = str(err.get("ctx", {}).get("error", err.get("msg", "")))
        return f"field {where!r}: {expected}"
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return (
            f"field {where!r} is {len(str(found)):,} characters long; at most {limit:,} are "
            "read. Shorten it to the point (limits are listed in the README)."
        )
    if kind == "too_long":
        limit = err.get("ctx", {}).get("max_length")
        return (
            f"field {where!r} lists {len(found) if hasattr(found, '__len__') else '?'} items; at "
            f"most {limit} are read. A micro-credential usually has 3-10 outcomes: split it "
            "into several credentials."
        )
    shown = "" if kind == "missing" else f" found {_short(found)};"
    return f"field {where!r}:{shown} {expected[0].lower() + expected[1:] if expected else ''}"


def _read_mapping(path: Path, what: str) -> dict[str, Any]:
    # Regular files only, size, depth, alias, repeated-key, number and encoding limits.
    data = load_data(path, f"{what} file", error=ProposalError)
    if not isinstance(data, dict):
        raise ProposalError(
            f"{what} file {str(path)!r} should hold fields like 'title:' and 'outcomes:', "
            f"but it holds {type(data).__name__ if data is not None else 'nothing'}. "
            "Start from an example in data/examples/."
        )
    return data


def _validate(model: type[BaseModel], data: Any, source: str, what: str) -> Any:
    if not isinstance(data, dict):
        raise ProposalError(
            f"{what}{f' in {source!r}' if source else ''} should be a group of fields "
            f"(title:, outcomes:, ...), but it is {_short(data)}."
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [_explain(e, model) for e in exc.errors()]
        where = f"{what} in file {source!r}" if source else what
        lines = "\n  - ".join(problems)
        raise ProposalError(
            f"{where} has {len(problems)} problem(s):\n  - {lines}\n"
            "Fix these fields and try again (see data/examples/ for a complete proposal)."
        ) from None


def load_proposal(source: PathLike | dict[str, Any]) -> Proposal:
    """Read a proposal from a YAML or JSON file (or a dict).

    Parameters
    ----------
    source : str, path or dict
        A ``.yaml``/``.yml``/``.json`` file, or the already-parsed fields.

    Returns
    -------
    Proposal

    Raises
    ------
    ProposalError
        The file is missing, is not valid YAML/JSON, or a field is wrong; the
        message names the file and every bad field.

    Examples
    --------
    >>> p = load_proposal({"title": "Team Leadership", "issuing_unit": "Business",
    ...                    "outcomes": [{"id": "LO1", "text": "Lead a project meeting"}]})
    >>> p.type, p.frameworks
    ('academic', ['onet', 'nace', 'cmc'])
    """
    if isinstance(source, dict):
        data, where = source, ""
    else:
        data, where = _read_mapping(Path(source), "proposal"), str(source)
    proposal: Proposal = _validate(Proposal, data, where, "proposal")
    proposal._source = where
    if not proposal.outcomes:
        name = f"proposal file {where!r}" if where else f"proposal {proposal.title!r}"
        raise ProposalError(
            f"{name} has no learning outcomes (field 'outcomes' is empty or missing). Add at "
            "least one, e.g.\n  outcomes:\n    - id: LO1\n      text: Analyze a data set "
            "and present the findings\n      evidence: written report"
        )
    return proposal


def load_stack(source: PathLike | dict[str, Any]) -> Stack:
    """Read a stack file (YAML or JSON) listing credentials that build toward a larger one.

    Member proposals given as paths are read relative to the stack file, and
    their errors name the member file.

    Examples
    --------
    >>> s = load_stack({"title": "Care Team Stack", "threshold_credits": 9, "members": [
    ...     {"title": "Team Roles", "issuing_unit": "Nursing",
    ...      "outcomes": [{"id": "LO1", "text": "Describe team roles"}]}]})
    >>> [c.id for c in s.credentials]
    ['team-roles']
    """
    if isinstance(source, dict):
        data, where = dict(source), ""
    else:
        data, where = _read_mapping(Path(source), "stack"), str(source)
    members = data.get("members")
    if isinstance(members, list):
        # Inline members are checked one by one so the message names the member.
        data["members"] = [
            _validate(Proposal, m, where, f"stack member {i + 1}") if isinstance(m, dict) else m
            for i, m in enumerate(members)
        ]
    stack = _validate(Stack, data, where, "stack")
    stack._source = where
    if not stack.members:
        where = f"stack file {stack.source!r}" if stack.source else "the stack"
        raise ProposalError(
            f"{where} lists no credentials under 'members:'; add the proposal files (or "
            "inline proposals) that stack together."
        )
    return stack


def save_proposal(proposal: Proposal, path: PathLike) -> Path:
    """Write a proposal to a YAML (or, for ``.json``, JSON) file, atomically.

    The text goes to a temporary file in the same folder, which then replaces
    ``path`` in one step: a dashboard or another process reading the file sees
    the old proposal or the new one, never half of one.

    Parameters
    ----------
    proposal : Proposal
        The proposal (reviewed alignments included).
    path : str or path
        File to write; ``.json`` writes JSON, anything else YAML.

    Returns
    -------
    Path
        The file written; :func:`load_proposal` reads it back equal.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = load_proposal({"title": "Team Leadership", "issuing_unit": "Business",
    ...                    "outcomes": [{"id": "LO1", "text": "Lead a project meeting"}]})
    >>> out = save_proposal(p, pathlib.Path(tempfile.mkdtemp()) / "p.yaml")
    >>> load_proposal(out).to_dict() == p.to_dict()
    True
    """
    if not isinstance(proposal, Proposal):
        raise ProposalError(
            f"proposal must be a Proposal (from align.load_proposal), got "
            f"{type(proposal).__name__}."
        )
    path = Path(path)
    text = proposal.to_json() if path.suffix.lower() == ".json" else proposal.to_yaml()
    size = len(text.encode("utf-8"))
    if size > MAX_DOCUMENT_BYTES:
        # A file align could not read back is data loss, even if the write succeeds.
        raise ProposalError(
            f"cannot save the proposal to {str(path)!r}: it would be {size / 1e6:,.1f} MB, more "
            f"than the {MAX_DOCUMENT_BYTES / 1e6:,.0f} MB align reads back. Remove alignments "
            "or shorten their descriptions (imported badges with very long texts cause this)."
        )
    if not path.parent.is_dir():
        raise ProposalError(
            f"cannot save the proposal to {str(path)!r}: folder {str(path.parent)!r} does "
            "not exist; create it or choose another path."
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        # mkstemp makes the file private (0600); keep the old file's mode, else 0644.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
