"""Safe input and output: the one way align reads user files and prints user text.

Every entry point that reads a YAML or JSON file a user wrote or downloaded
(proposals, stacks, policies, CASE packages, framework JSON) goes through
:func:`load_data`, which

- opens regular files only: a FIFO, device or folder is refused *before* it is
  opened, so nothing can hang on a pipe;
- refuses files larger than a limit (:data:`MAX_DOCUMENT_BYTES` for documents
  people write, :data:`MAX_FRAMEWORK_BYTES` for framework packages);
- decodes UTF-8 (with or without BOM) or UTF-16 with BOM, and otherwise says
  which line holds the first bad byte (never a silent "�");
- limits nesting depth (:data:`MAX_DEPTH`) without recursing in Python;
- limits YAML alias expansion (:data:`MAX_YAML_NODES` nodes once aliases are
  expanded) while the document is composed, before any value is built, so an
  alias bomb ("billion laughs") fails in milliseconds;
- rejects a key repeated in one mapping (naming the key and its line) and
  non-finite numbers (``.nan``, ``.inf``, ``NaN``, ``Infinity``, ``1e999``);
- builds plain data only (YAML tags that would build Python objects are
  refused by PyYAML's safe loader).

Output helpers (strict JSON, CSV formula neutralising, terminal and Markdown
escaping, atomic writes, the overwrite guard) live in :mod:`align._safeout`
and are re-exported here. :func:`check_text` validates text arriving on the
command line or standard input.

Limits (also listed in the README, "Limits")
    ``MAX_DOCUMENT_BYTES``  2 MB: proposal, stack and policy files
    ``MAX_FRAMEWORK_BYTES`` 512 MB: CASE packages and framework JSON
    ``MAX_DEPTH``           64 levels of nesting
    ``MAX_YAML_NODES``      200,000 YAML nodes after alias expansion
    ``MAX_TEXT_CHARS``      10,000 characters in one text to match
"""

from __future__ import annotations

import codecs
import json
import math
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from align._config import PathLike
from align._safeout import (
    dumps_json,
    neutralise_csv_cell,
    neutralise_csv_frame,
    terminal_text,
    visible_controls,
    write_text_atomic,
)
from align.exceptions import AlignError, InvalidArgumentError

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_FRAMEWORK_BYTES",
    "MAX_TEXT_CHARS",
    "MAX_YAML_NODES",
    "SafeInputError",
    "check_encoding",
    "check_finite",
    "check_regular_file",
    "check_text",
    "decode_text",
    "dumps_json",
    "load_data",
    "neutralise_csv_cell",
    "neutralise_csv_frame",
    "parse_json",
    "parse_yaml",
    "read_stdin_text",
    "terminal_text",
    "visible_controls",
    "write_text_atomic",
]

#: Largest proposal, stack or policy file read (bytes).
MAX_DOCUMENT_BYTES = 2_000_000
#: Largest CASE package or framework JSON file read (bytes).
MAX_FRAMEWORK_BYTES = 512_000_000
#: Deepest nesting of lists and mappings accepted in a YAML or JSON file.
MAX_DEPTH = 64
#: Most YAML nodes a document may expand to once aliases (``*name``) are followed.
MAX_YAML_NODES = 200_000
#: Longest single text accepted for matching (characters).
MAX_TEXT_CHARS = 10_000


class SafeInputError(AlignError, ValueError):
    """A file or text was refused by a safety check (kind, size, depth, encoding, ...).

    Loaders turn it into their own error class (``ProposalError``,
    ``FrameworkFormatError``) with :func:`load_data`'s ``error`` argument.
    """


# == files =====================================================================
def check_regular_file(
    path: PathLike, what: str = "file", *, error: type[AlignError] = SafeInputError
) -> Path:
    """Return ``path`` if it names a regular file; otherwise raise ``error`` saying what it is.

    Uses ``stat`` only, so a FIFO or a device is refused without being opened
    (opening a FIFO for reading blocks until someone writes to it).

    Examples
    --------
    >>> check_regular_file("/dev/null", "proposal file")
    Traceback (most recent call last):
    ...
    align._safeio.SafeInputError: proposal file '/dev/null' is a device, not a regular file; ...
    """
    p = Path(path).expanduser()
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise error(f"{what} {str(p)!r} does not exist; check the path.") from None
    except OSError as exc:
        raise error(
            f"{what} {str(p)!r} cannot be read ({exc.strerror}); check the path and its "
            "permissions."
        ) from None
    if stat.S_ISREG(mode):
        return p
    kind = (
        "a folder"
        if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
    )
    raise error(f"{what} {str(p)!r} is {kind}, not a regular file; give the path of a file.")


def _read_bytes(p: Path, what: str, max_bytes: int, error: type[AlignError]) -> bytes:
    size = p.stat().st_size
    if size > max_bytes:
        raise error(
            f"{what} {str(p)!r} is {size / 1e6:,.1f} MB, more than the {max_bytes / 1e6:,.0f} MB "
            "align reads; check that it is the right file (limits are listed in the README)."
        )
    try:
        with open(p, "rb") as fh:
            # +1: a file that grew after stat() is still caught.
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"{what} {str(p)!r} cannot be read ({exc.strerror}).") from None
    if len(raw) > max_bytes:
        raise error(f"{what} {str(p)!r} is larger than the {max_bytes / 1e6:,.0f} MB align reads.")
    return raw


def decode_text(raw: bytes, name: str, *, error: type[AlignError] = SafeInputError) -> str:
    """Decode UTF-8 (BOM optional) or UTF-16 with BOM; otherwise say where the bad byte is.

    Examples
    --------
    >>> decode_text("Équipe".encode("utf-8-sig"), "x.yaml")
    'Équipe'
    >>> decode_text("Équipe".encode("latin-1"), "x.yaml")
    Traceback (most recent call last):
    ...
    align._safeio.SafeInputError: 'x.yaml' is not UTF-8 text: byte 0xc9 at line 1, column 1 ...
    """
    if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise error(
            f"{name!r} is not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line}, column "
            f"{col} (accented letters saved as Latin-1 or Windows-1252 look like this). Save "
            "the file as UTF-8 (most editors: Save As, encoding UTF-8) and try again."
        ) from None


# == parsing ===================================================================
def _depth_error(name: str, error: type[AlignError], where: str = "") -> AlignError:
    return error(
        f"{name!r} is nested more than {MAX_DEPTH} levels deep{where}; a proposal, policy or "
        "framework file never needs that many. Check the file (it may be damaged or generated "
        "by mistake)."
    )


def _max_depth_ok(data: Any) -> bool:
    """True when ``data`` nests at most MAX_DEPTH levels; iterative, so any depth is safe."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        obj, depth = stack.pop()
        if isinstance(obj, dict):
            children: Any = obj.values()
        elif isinstance(obj, list):
            children = obj
        else:
            continue
        if depth > MAX_DEPTH:
            return False
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return True


def _line_of_key(text: str, key: str, nth: int = 2) -> int | None:
    pattern = re.compile(r'"' + re.escape(json.dumps(key)[1:-1]) + r'"\s*:')
    for n, m in enumerate(pattern.finditer(text), 1):
        if n == nth:
            return text.count("\n", 0, m.start()) + 1
    return None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} is too large to store")
    return value


def _no_constant(text: str) -> float:
    raise ValueError(f"{text} is not a number JSON allows")


def parse_json(
    text: str,
    name: str,
    *,
    error: type[AlignError] = SafeInputError,
    syntax_error: Callable[[json.JSONDecodeError], AlignError] | None = None,
) -> Any:
    """Parse JSON strictly: no repeated keys, no NaN/Infinity, nesting at most MAX_DEPTH.

    Examples
    --------
    >>> parse_json('{"a": [1, 2.5]}', "x.json")
    {'a': [1, 2.5]}
    >>> parse_json('{"a": 1, "a": 2}', "x.json")
    Traceback (most recent call last):
    ...
    align._safeio.SafeInputError: 'x.json' repeats the key 'a' in one object (line 1)...
    """
    try:
        data = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_finite_float,
            parse_constant=_no_constant,
        )
    except _DuplicateKey as dup:
        line = _line_of_key(text, dup.key)
        at = f" (line {line})" if line else ""
        raise error(
            f"{name!r} repeats the key {dup.key!r} in one object{at}; only one would be kept. "
            "Remove or rename one of them."
        ) from None
    except RecursionError:
        raise _depth_error(name, error) from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            if syntax_error is not None:
                raise syntax_error(exc) from None
            raise error(
                f"{name!r} is not valid JSON: {exc.msg} at line {exc.lineno}, column "
                f"{exc.colno}. Fix that line (a missing comma or quote is the usual cause)."
            ) from None
        raise error(f"{name!r}: {exc}; write a finite number (or null).") from None
    if not _max_depth_ok(data):
        raise _depth_error(name, error)
    return data


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader with limits on depth, alias expansion and repeated keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._weights: dict[int, int] = {}
        self._total = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target: Any = super().compose_node(parent, index)
            # An alias repeats its anchor's whole subtree once the value is built.
            self._total += self._weights.get(id(target), 1)
            if self._total > MAX_YAML_NODES:
                raise _AliasBomb(event.start_mark.line + 1)
            return target
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooDeep(self.peek_event().start_mark.line + 1)
        try:
            node: Any = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        weight = 1
        if isinstance(node, yaml.SequenceNode):
            weight += sum(self._weights.get(id(c), 1) for c in node.value)
        elif isinstance(node, yaml.MappingNode):
            weight += sum(
                self._weights.get(id(k), 1) + self._weights.get(id(v), 1) for k, v in node.value
            )
        self._weights[id(node)] = weight
        if not isinstance(node, yaml.ScalarNode):
            self._total += 1
        if weight > MAX_YAML_NODES or self._total > MAX_YAML_NODES:
            raise _AliasBomb(node.start_mark.line + 1)
        return node

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                if isinstance(key_node, yaml.ScalarNode):
                    k = key_node.value
                    if k in seen:
                        raise _RepeatedKey(k, seen[k], key_node.start_mark.line + 1)
                    seen[k] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_float(self, node: Any) -> float:
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise _NonFinite(str(node.value), node.start_mark.line + 1)
        return value

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise _BadDate(str(node.value), node.start_mark.line + 1, str(exc)) from None


_SafeLoader.add_constructor("tag:yaml.org,2002:float", _SafeLoader.construct_yaml_float)
_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_yaml_timestamp)


class _BadDate(Exception):
    def __init__(self, text: str, line: int, why: str) -> None:
        super().__init__(text)
        self.text, self.line, self.why = text, line, why


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _AliasBomb(_TooDeep):
    pass


class _RepeatedKey(Exception):
    def __init__(self, key: str, first: int, line: int) -> None:
        super().__init__(key)
        self.key, self.first, self.line = key, first, line


class _NonFinite(Exception):
    def __init__(self, text: str, line: int) -> None:
        super().__init__(text)
        self.text, self.line = text, line


# PyYAML's wording, and what it means to someone editing a file by hand.
_YAML_PROBLEMS = {
    "expected <block end>": "this line is indented differently from the lines above it",
    "mapping values are not allowed": "a ': ' appears where YAML does not expect one "
    "(text containing ': ' must be in quotes)",
    "found character '\\t'": "a tab is used for indentation (use spaces)",
    "could not find expected ':'": "a 'key: value' line is missing its ':'",
    "unacceptable character": "YAML does not allow this control character; remove it (or "
    "check that this is a text file, not a binary one)",
    "could not determine a constructor": "a YAML tag (a word starting with '!') that align "
    "does not read; remove the tag",
}


def parse_yaml(text: str, name: str, *, error: type[AlignError] = SafeInputError) -> Any:
    """Parse YAML safely: plain data only, with depth, alias, repeated-key and number checks.

    Examples
    --------
    >>> parse_yaml("title: Data Skills\\ncredits: 3\\n", "p.yaml")
    {'title': 'Data Skills', 'credits': 3}
    >>> parse_yaml("a: 1\\na: 2\\n", "p.yaml")
    Traceback (most recent call last):
    ...
    align._safeio.SafeInputError: 'p.yaml' repeats the key 'a' (lines 1 and 2); ...
    """
    loader: _SafeLoader | None = None
    try:
        # The reader checks the characters as soon as the loader is made: inside the try.
        loader = _SafeLoader(text)
        return loader.get_single_data()
    except _AliasBomb as exc:
        raise error(
            f"{name!r} expands to more than {MAX_YAML_NODES:,} values through YAML aliases "
            f"('*name', near line {exc.line}); align refuses it so that it cannot exhaust "
            "memory. Write the values out instead of repeating anchors."
        ) from None
    except _TooDeep as exc:
        raise _depth_error(name, error, f" (line {exc.line})") from None
    except _RepeatedKey as exc:
        raise error(
            f"{name!r} repeats the key {exc.key!r} (lines {exc.first} and {exc.line}); only "
            "one would be kept. Remove or rename one of them."
        ) from None
    except _NonFinite as exc:
        raise error(
            f"{name!r} line {exc.line}: {exc.text!r} is not a finite number; write a number "
            "such as 3 (or leave the field out)."
        ) from None
    except _BadDate as exc:
        raise error(
            f"{name!r} line {exc.line}: {exc.text!r} is not a real date ({exc.why}); write "
            "a date that exists, like 2027-06-30."
        ) from None
    except RecursionError:
        raise _depth_error(name, error) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        plain = next((v for key, v in _YAML_PROBLEMS.items() if key in problem), None)
        hint = (
            ""
            if plain and ("tag" in plain or "binary" in plain)
            else " Check the indentation there, and put text containing ': ' or '#' in quotes."
        )
        if plain and "binary" in plain:
            plain = f"{problem}: {plain}"
        raise error(f"{name!r} is not valid YAML{where}: {plain or problem}.{hint}") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_data(
    path: PathLike,
    what: str = "file",
    *,
    error: type[AlignError] = SafeInputError,
    max_bytes: int = MAX_DOCUMENT_BYTES,
    fmt: str | None = None,
) -> Any:
    """Read a YAML or JSON file safely and return plain data.

    Parameters
    ----------
    path : str or path
        The file. ``.json`` is read as JSON, anything else as YAML (unless ``fmt``).
    what : str
        What the file is, for messages ("proposal file").
    error : AlignError subclass
        The error raised for any problem (message names the file, what is
        wrong and the fix).
    max_bytes : int
        Largest file accepted.
    fmt : {"json", "yaml"}, optional
        Override the format guessed from the suffix.

    Examples
    --------
    >>> import os, tempfile
    >>> f = os.path.join(tempfile.mkdtemp(), "p.yaml")
    >>> _ = Path(f).write_text("title: Data Skills\\n", "utf-8")
    >>> load_data(f, "proposal file")
    {'title': 'Data Skills'}
    """
    p = check_regular_file(path, what, error=error)
    raw = _read_bytes(p, what, max_bytes, error)
    name = f"{what} {str(p)!r}"
    label = str(p)
    try:
        text = decode_text(raw, label, error=error)
        kind = fmt or ("json" if p.suffix.lower() == ".json" else "yaml")
        if kind == "json":
            return parse_json(text, label, error=error)
        return parse_yaml(text, label, error=error)
    except AlignError as exc:
        # Say what the file is ("proposal file 'x.yaml' is ...").
        msg = str(exc)
        if msg.startswith(repr(label)):
            msg = name + msg[len(repr(label)) :]
        raise error(msg) from None


# == values ====================================================================
def check_finite(value: float | None, name: str, *, minimum: float | None = None) -> None:
    """Raise :class:`InvalidArgumentError` if ``value`` is NaN, infinite or below ``minimum``.

    Examples
    --------
    >>> check_finite(3.0, "--threshold-credits", minimum=0)
    >>> check_finite(float("nan"), "--threshold-credits")
    Traceback (most recent call last):
    ...
    align.exceptions.InvalidArgumentError: --threshold-credits nan is not a finite number; ...
    """
    if value is None:
        return
    if not math.isfinite(value):
        raise InvalidArgumentError(f"{name} {value} is not a finite number; give a number like 3.")
    if minimum is not None and value < minimum:
        raise InvalidArgumentError(
            f"{name} {value:g} is below {minimum:g}; give a number of at least {minimum:g}."
        )


def check_encoding(encoding: str, name: str = "encoding") -> str:
    """Return the codec's canonical name, or raise with how to spell common encodings.

    Examples
    --------
    >>> check_encoding("UTF8")
    'utf-8'
    """
    try:
        return codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise InvalidArgumentError(
            f"{name} {encoding!r} is not a text encoding Python knows; use e.g. utf-8, cp1252 "
            "(Excel on Windows), latin-1 or utf-16."
        ) from None


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: str, name: str, *, max_chars: int | None = MAX_TEXT_CHARS) -> str:
    """Return ``text`` if it is valid Unicode within ``max_chars``; else raise with the fix.

    Command-line arguments with bytes that are not UTF-8 reach Python as lone
    surrogates; they are refused here rather than deep inside a tokenizer.

    Examples
    --------
    >>> check_text("Analyze data", "text 1")
    'Analyze data'
    >>> check_text("Analyze \\udcff data", "text 1")
    Traceback (most recent call last):
    ...
    align.exceptions.InvalidArgumentError: text 1 is not valid UTF-8 (a byte 0xff ...
    """
    m = _SURROGATE.search(text)
    if m:
        code = ord(m.group())
        byte = (
            f" (a byte 0x{code - 0xDC00:02x} at character {m.start() + 1})"
            if code >= 0xDC80
            else ""
        )
        raise InvalidArgumentError(
            f"{name} is not valid UTF-8{byte}; save or type the text as UTF-8 and try again."
        )
    if max_chars is not None and len(text) > max_chars:
        raise InvalidArgumentError(
            f"{name} is {len(text):,} characters long, more than the {max_chars:,} align "
            "matches at once; split it into sentences or outcomes (one per line)."
        )
    return text


def read_stdin_text(stream: Any, name: str = "standard input") -> str:
    """Read a binary or text stream as strict UTF-8 (BOM optional), with a clear error."""
    raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
    if isinstance(raw, str):
        return check_text(raw, name, max_chars=None)
    try:
        return raw.decode("utf-8-sig")  # type: ignore[no-any-return]
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidArgumentError(
            f"{name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save or "
            "pipe the text as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)."
        ) from None
