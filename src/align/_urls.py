"""The one URL policy of align: which web addresses an export may write or an import accept.

Every URL that ends up in a badge, a CASE or CTDL package, or a proposal file
passes :func:`url_problem` (exports refuse what it reports, ``--check`` lists
it, imports refuse it):

- ``http`` or ``https`` only (no ``javascript:``, ``data:``, ``file:``, ``ftp:``);
- a host name with a dot, written in ASCII (an internationalised name in its
  ``xn--`` form), no user name or password before it
  (``https://www.onetonline.org@evil.example.com/`` is refused), no IP address;
- no spaces, quotes, angle brackets or other characters a URL never holds
  unescaped (``"><script>`` is refused), every ``%`` followed by two hex digits;
- an alignment's official page is on its framework's site
  (:data:`FRAMEWORK_HOSTS`): O*NET on onetonline.org or onetcenter.org, ESCO on
  data.europa.eu or esco.ec.europa.eu, Lightcast on lightcast.io, NACE on
  naceweb.org, CMC on careeronestop.org. Frameworks align does not know (CASE
  packages, spreadsheets) may link any site that passes the other rules.

Identifiers placed inside a URL path are percent-encoded with :func:`quote_segment`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

__all__ = [
    "FRAMEWORK_HOSTS",
    "MAX_DATA_URI_CHARS",
    "MAX_URL_CHARS",
    "host_of",
    "image_problem",
    "is_safe_url",
    "quote_segment",
    "url_problem",
]

#: Official sites of the frameworks align knows: an alignment's page must be on one of
#: these hosts (or a sub-domain of one, like ``www.onetonline.org``).
FRAMEWORK_HOSTS: dict[str, tuple[str, ...]] = {
    "onet": ("onetonline.org", "onetcenter.org"),
    "esco": ("data.europa.eu", "esco.ec.europa.eu"),
    "lightcast": ("lightcast.io",),
    "nace": ("naceweb.org",),
    "cmc": ("careeronestop.org",),
}
#: Longest URL accepted (browsers and platforms cut longer ones).
MAX_URL_CHARS = 2_000
#: Longest ``data:image/...`` URI accepted as a badge image.
MAX_DATA_URI_CHARS = 1_000_000

# Characters RFC 3986 allows in a URL (unreserved, reserved, and % for escapes).
_ALLOWED = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$")


def host_of(url: str) -> str:
    """The lower-case host of a URL ('' when there is none).

    Examples
    --------
    >>> host_of("https://www.OnetOnline.org/link/summary/15-2051.00")
    'www.onetonline.org'
    """
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _on_host(host: str, allowed: tuple[str, ...]) -> bool:
    return any(host == h or host.endswith("." + h) for h in allowed)


def url_problem(url: Any, *, framework: str | None = None) -> str | None:
    """What is wrong with ``url`` as a public web page, or None when it is acceptable.

    Parameters
    ----------
    url : str
        The address.
    framework : str, optional
        Framework key of a competency whose official page this is; the host must
        then be one of :data:`FRAMEWORK_HOSTS` for known frameworks.

    Returns
    -------
    str or None
        A short reason in plain words ("it is a javascript: address, not a web
        page"), or None.

    Examples
    --------
    >>> url_problem("https://www.onetonline.org/find/descriptor/result/2.A.2.a", framework="onet")
    >>> url_problem("javascript:alert(1)")
    'it is a javascript: address, not a web page (http or https)'
    >>> url_problem("https://www.onetonline.org@evil.example.com/x", framework="onet")
    'it names a user before the host (user@host), which hides the real site'
    >>> url_problem("https://evil.example.com/2.A.2.a", framework="onet")
    "it is on evil.example.com, not on O*NET's official site (onetonline.org, onetcenter.org)"
    """
    if not isinstance(url, str):
        return f"it is a {type(url).__name__}, not a web address"
    if not url:
        return "it is empty"
    if len(url) > MAX_URL_CHARS:
        return f"it is {len(url):,} characters long (at most {MAX_URL_CHARS:,})"
    if any(c.isspace() for c in url):
        return "it contains spaces or line breaks"
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in {"http", "https"}:
        what = f"a {scheme}: address" if scheme and scheme.isalpha() else "not an absolute address"
        return f"it is {what}, not a web page (http or https)"
    if not _ALLOWED.match(url):
        bad = sorted({c for c in url if not _ALLOWED.match(c)})
        return (
            f"it contains {', '.join(repr(c) for c in bad[:5])}, which a web address never "
            "holds unescaped"
        )
    if _BAD_ESCAPE.search(url):
        return "it has a '%' not followed by two hexadecimal digits"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "its host or port cannot be read"
    if not url.lower().startswith(f"{scheme}://") or not parts.netloc:
        return "it has no host (write https://host/path)"
    if "@" in parts.netloc:
        return "it names a user before the host (user@host), which hides the real site"
    host = (parts.hostname or "").lower()
    if _IPV4.match(host) or host.startswith("["):
        return "its host is an IP address, not a public site name"
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return f"its host {host!r} is not a valid site name"
    if port is not None and not 0 < port < 65536:
        return "its port is out of range"
    if framework in FRAMEWORK_HOSTS and not _on_host(host, FRAMEWORK_HOSTS[framework]):
        return (
            f"it is on {host}, not on {_framework_name(framework)}'s official site "
            f"({', '.join(FRAMEWORK_HOSTS[framework])})"
        )
    return None


_NAMES = {
    "onet": "O*NET",
    "esco": "ESCO",
    "lightcast": "Lightcast Open Skills",
    "nace": "NACE",
    "cmc": "the Competency Model Clearinghouse",
}


def _framework_name(key: str) -> str:
    return _NAMES.get(key, key)


def is_safe_url(url: Any, *, framework: str | None = None) -> bool:
    """True when :func:`url_problem` finds nothing wrong.

    Examples
    --------
    >>> is_safe_url("https://lightcast.io/open-skills/skills/KS125LS6N7WP4S6SFTCK",
    ...             framework="lightcast")
    True
    >>> is_safe_url("file:///etc/passwd")
    False
    """
    return url_problem(url, framework=framework) is None


def image_problem(url: Any) -> str | None:
    """What is wrong with ``url`` as a badge image: an http(s) page (see :func:`url_problem`)
    or a base64 ``data:image/png|jpeg|gif|webp`` URI (SVG is refused: it can hold script).

    Examples
    --------
    >>> image_problem("data:image/png;base64,iVBORw0KGgo=")
    >>> image_problem("data:image/svg+xml;base64,PHN2Zz4=")
    'it is a data: URI that is not a base64 PNG, JPEG, GIF or WebP image'
    """
    if isinstance(url, str) and url[:5].lower() == "data:":
        if len(url) > MAX_DATA_URI_CHARS:
            return f"it is a data: URI of {len(url):,} characters (at most {MAX_DATA_URI_CHARS:,})"
        if not _DATA_IMAGE.match(url):
            return "it is a data: URI that is not a base64 PNG, JPEG, GIF or WebP image"
        return None
    return url_problem(url)


def quote_segment(text: str) -> str:
    """``text`` percent-encoded for one URL path segment (``/`` and ``?`` included).

    Examples
    --------
    >>> quote_segment("data analytics/2026?x")
    'data%20analytics%2F2026%3Fx'
    """
    return quote(str(text), safe="-._~")
