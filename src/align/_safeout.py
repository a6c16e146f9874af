"""Safe output: the one way align writes files and escapes text for terminals, CSV and Markdown.

Every command, export and dashboard download goes through these helpers, so an
escaping rule is decided once:

- :func:`dumps_json`: strict JSON (no ``NaN``); control characters that could
  drive a terminal (C1 controls, DEL, bidirectional overrides) and the
  characters line readers take for line breaks are written as ``\\uXXXX``.
- :func:`csv_text` / :func:`neutralise_csv_cell`: CSV whose text cells cannot
  run as spreadsheet formulas (``=HYPERLINK``, ``+cmd|``, ``@SUM`` get a leading
  ``'``) and show control characters as ``\\x1b``; :func:`restore_csv_cell`
  undoes the prefix when align reads such a CSV back.
- :func:`terminal_text` / :func:`visible_controls`: user text for the terminal
  (rich markup escaped, ESC and BEL shown, never sent).
- :func:`markdown_text`: user text inside Markdown (badge criteria): every
  character that Markdown or HTML would treat as markup is backslash-escaped,
  so ``<script>`` or ``[x](javascript:...)`` are shown as text;
  :func:`unmarkdown_text` reads it back.
- :func:`plain_text`: text for a plain-text field (names, descriptions) with
  control characters removed.

Files: :func:`write_text_atomic` writes all at once (no partial file), and
:func:`check_output` / :func:`record_output` keep commands from writing over
their own input or over a file align did not write, unless ``--force``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from align._config import PathLike, cache_dir
from align.exceptions import OutputExistsError, StorageError

__all__ = [
    "CSV_FORMULA_START",
    "check_output",
    "csv_text",
    "dumps_json",
    "markdown_text",
    "neutralise_csv_cell",
    "neutralise_csv_frame",
    "plain_text",
    "record_output",
    "restore_csv_cell",
    "terminal_text",
    "unmarkdown_text",
    "visible_controls",
    "write_text_atomic",
]


# == files =====================================================================
def write_text_atomic(path: PathLike, text: str, what: str = "file") -> Path:
    """Write ``text`` to ``path`` (UTF-8) all at once: a failure leaves no partial file.

    Parent folders are created. A read-only folder or a full disk raises
    :class:`~align.exceptions.StorageError` naming the file and the fix.
    """
    out = Path(path).expanduser()
    tmp = out.with_name(f".{out.name}.align-tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, "utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StorageError(
            f"cannot write {what} {str(out)!r} ({exc.strerror or exc}); choose a folder you can "
            "write to, or free disk space."
        ) from None
    return out


#: Most files remembered as written by align (the oldest are forgotten first).
MAX_REMEMBERED_OUTPUTS = 5_000


def _ledger() -> Path:
    return cache_dir() / "written-files.json"


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_ledger() -> dict[str, str]:
    try:
        data = json.loads(_ledger().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}


def record_output(path: PathLike) -> None:
    """Remember that align wrote ``path`` (with its content's hash) so a later command
    may replace it without ``--force``. Failing to remember is never an error: the
    next command then asks for ``--force``, the safe direction."""
    p = Path(path).expanduser().resolve()
    with contextlib.suppress(OSError, StorageError):
        seen = _read_ledger()
        seen.pop(str(p), None)
        seen[str(p)] = _digest(p)
        if len(seen) > MAX_REMEMBERED_OUTPUTS:
            seen = dict(list(seen.items())[-MAX_REMEMBERED_OUTPUTS:])
        write_text_atomic(_ledger(), json.dumps(seen), "list of written files")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(
    path: PathLike,
    *,
    inputs: Iterable[PathLike | None] = (),
    force: bool = False,
    option: str = "--out",
) -> Path:
    """Refuse to write ``path`` over a command's own input, or over a file align did not write.

    Parameters
    ----------
    path : str or path
        Where the command will write.
    inputs : iterable of paths
        The files the command reads (``None`` entries are skipped).
    force : bool
        The user passed ``--force``: allow both.
    option : str
        The option that named ``path``, for the message.

    Returns
    -------
    Path
        ``path``, expanded.

    Raises
    ------
    OutputExistsError
        ``path`` is one of ``inputs`` (even through a link), or it exists and
        align did not write it (or it changed since align wrote it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.yaml"
    >>> _ = f.write_text("title: x\\n")
    >>> check_output(f, inputs=[f])
    Traceback (most recent call last):
    ...
    align.exceptions.OutputExistsError: --out ... is the command's own input; ...
    """
    out = Path(path).expanduser()
    for source in inputs:
        if source is not None and (
            _same_file(out, Path(source).expanduser())
            or out.resolve() == Path(source).expanduser().resolve()
        ):
            if force:
                break
            raise OutputExistsError(
                f"{option} {str(out)!r} is the command's own input; writing there would "
                "replace it. Choose another file (or pass --force to replace it anyway)."
            )
    if force or not out.exists():
        return out
    if out.is_dir():
        raise OutputExistsError(
            f"{option} {str(out)!r} is a folder; give the path of a file to write."
        )
    known = _read_ledger().get(str(out.resolve()))
    try:
        unchanged = known is not None and _digest(out) == known
    except OSError:
        unchanged = False
    if not unchanged:
        raise OutputExistsError(
            f"{option} {str(out)!r} already exists and align did not write it (or it was "
            "changed since); align does not replace files it did not create. Choose another "
            "file, delete it, or pass --force to replace it."
        )
    return out


# == JSON ======================================================================
def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


# DEL, C1 controls (U+0085 is also a line break), and the bidirectional controls that
# can make text display in a different order than it is stored; line separators.
_JSON_ESCAPES = {
    c: f"\\u{c:04x}"
    for c in (
        0x7F,
        *range(0x80, 0xA0),
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
}


def dumps_json(obj: Any, **kwargs: Any) -> str:
    """JSON text that every strict parser accepts and no terminal mistakes for commands.

    NaN and infinities become ``null``: numbers that come *in* non-finite are
    refused where they arrive; a NaN that remains is a missing value (e.g. no
    semantic score with ``--method lexical``).

    Examples
    --------
    >>> dumps_json({"score": float("nan"), "n": [1, float("inf")]})
    '{"score": null, "n": [1, null]}'

    Characters that line-oriented readers take for a line break (U+0085,
    U+2028, U+2029), other C1 controls and bidirectional overrides are escaped
    (JSON's own escaping already covers ESC and BEL):

    >>> dumps_json({"q": "a\\x85b\\u202e\\x1b"})
    '{"q": "a\\\\u0085b\\\\u202e\\\\u001b"}'
    """
    kwargs.setdefault("ensure_ascii", False)
    try:
        text = json.dumps(obj, allow_nan=False, **kwargs)
    except ValueError:
        text = json.dumps(_json_safe(obj), allow_nan=False, **kwargs)
    # Outside strings JSON has no such characters, so escaping them everywhere is safe.
    return text.translate(_JSON_ESCAPES)


# == CSV =======================================================================
#: First characters that make a spreadsheet treat a CSV cell as a formula.
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_csv_cell(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``.

    Numbers are left alone (``-3`` stays a number); only text is changed. A text
    that already starts with ``'`` gets one more, so :func:`restore_csv_cell`
    gives back exactly what was written.

    Examples
    --------
    >>> neutralise_csv_cell('=HYPERLINK("http://evil","x")')
    '\\'=HYPERLINK("http://evil","x")'
    >>> neutralise_csv_cell("SQL"), neutralise_csv_cell(-3)
    ('SQL', -3)
    """
    if isinstance(value, str) and value.startswith((*CSV_FORMULA_START, "'")):
        return "'" + value
    return value


def restore_csv_cell(value: Any) -> Any:
    """Undo :func:`neutralise_csv_cell` on a cell read back from align's CSV.

    Examples
    --------
    >>> restore_csv_cell(neutralise_csv_cell("=1+1")), restore_csv_cell("'quoted")
    ('=1+1', 'quoted')
    """
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def neutralise_csv_frame(df: Any) -> Any:
    """Return a copy of a DataFrame whose text cells cannot run as spreadsheet formulas
    and show control characters visibly.

    Column names are neutralised too. See :func:`neutralise_csv_cell`.
    """
    import pandas as pd

    def cell(v: Any) -> Any:
        return neutralise_csv_cell(visible_controls(v) if isinstance(v, str) else v)

    out = df.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            out.isetitem(i, col.map(cell))
    out.columns = [cell(str(c)) for c in out.columns]
    return out


def csv_text(df: Any, *, raw: bool = False) -> str:
    """A DataFrame as CSV text (header row, ``,``, ``\\n`` line ends), neutralised unless ``raw``.

    The only CSV writer of align: the CLI's ``--format csv``, the badge export
    ``--to csv`` and the dashboard's downloads all use it.

    Examples
    --------
    >>> import pandas as pd
    >>> print(csv_text(pd.DataFrame({"label": ["=1+2", "SQL"], "n": [1, -2]})), end="")
    label,n
    '=1+2,1
    SQL,-2
    """
    return str((df if raw else neutralise_csv_frame(df)).to_csv(index=False, lineterminator="\n"))


# == terminal and text =========================================================
# C0 and C1 controls except tab and newline, DEL, and the bidirectional overrides that
# can make text display in a different order than it is stored.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_controls(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` / ``\\uNNNN`` (newline, tab kept).

    Examples
    --------
    >>> visible_controls("a\\x1b[2Jb\\x00")
    'a\\\\x1b[2Jb\\\\x00'
    """
    return _CONTROL.sub(_visible, text)


def terminal_text(value: Any) -> str:
    """User text made safe to print with rich: markup escaped, controls shown as ``\\xNN``.

    Examples
    --------
    >>> terminal_text("[/x] analyze [bold]data[/bold]")
    '\\\\[/x] analyze \\\\[bold]data\\\\[/bold]'
    >>> terminal_text("bell\\x07 esc\\x1b[31m")
    'bell\\\\x07 esc\\\\x1b[31m'
    """
    from rich.markup import escape

    text = _CONTROL.sub(_visible, str(value))
    return escape(text)


def plain_text(value: Any) -> str:
    """Text for a plain-text field of an export: control characters removed.

    Examples
    --------
    >>> plain_text("Data\\x1b[31m Skills\\u202e")
    'Data[31m Skills'
    """
    return _CONTROL.sub("", str(value))


# Characters Markdown (CommonMark, GitHub) or inline HTML could read as markup inside a
# line: emphasis, code, links and images, autolinks and tags, entities, strikethrough.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>&~|])")
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def markdown_text(value: Any) -> str:
    """User text to place inside one line of Markdown so that it shows as written.

    Whitespace runs (line breaks included) become one space, control characters
    are dropped, and markup characters are backslash-escaped: raw HTML, links
    and emphasis are shown as text, never rendered.

    Examples
    --------
    >>> markdown_text("Analyze <b>data</b> [x](javascript:alert(1))\\n*now*")
    'Analyze \\\\<b\\\\>data\\\\</b\\\\> \\\\[x\\\\](javascript:alert(1)) \\\\*now\\\\*'
    >>> unmarkdown_text(markdown_text("a_b & <c>")) == "a_b & <c>"
    True
    """
    text = " ".join(plain_text(value).split())
    return _MARKDOWN.sub(r"\\\1", text)


def unmarkdown_text(text: str) -> str:
    """Read back text written by :func:`markdown_text` (backslash escapes removed)."""
    return _UNESCAPE.sub(r"\1", text)
