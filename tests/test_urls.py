"""The URL policy and the escaping helpers every export shares (properties and examples)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align._safeout import (
    markdown_text,
    neutralise_csv_cell,
    plain_text,
    restore_csv_cell,
    unmarkdown_text,
)
from align._urls import FRAMEWORK_HOSTS, image_problem, quote_segment, url_problem


@pytest.mark.parametrize(
    "url, framework",
    [
        ("https://www.onetonline.org/find/descriptor/result/2.A.2.a", "onet"),
        ("https://www.onetonline.org/search/tech/example?e=C%2B%2B", "onet"),
        ("http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab", "esco"),
        ("https://lightcast.io/open-skills/skills/KS125LS6N7WP4S6SFTCK", "lightcast"),
        ("https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/", "nace"),
        ("https://caseregistry.imsglobal.org/uri/74f5bb7d-d7cc-11e8-824f-0242ac160002", "case"),
        ("https://badges.example.edu:8443/a/b?c=d#e", None),
        ("https://xn--bcher-kva.example/", None),
    ],
)
def test_accepted(url: str, framework: str | None) -> None:
    assert url_problem(url, framework=framework) is None


@pytest.mark.parametrize(
    "url, framework, needle",
    [
        ("javascript:alert(1)", None, "javascript:"),
        ("JaVaScRiPt:alert(1)", None, "javascript:"),
        ("file:///etc/passwd", None, "file:"),
        ("data:text/html,<b>x</b>", None, "data:"),
        ("ftp://x.example.org/a", None, "ftp:"),
        ("//evil.example.com/x", None, "not an absolute"),
        ("https://www.onetonline.org@evil.example.com/x", "onet", "user@host"),
        ("https://www.onetonline.org.evil.example.com/x", "onet", "official site"),
        ("https://evil-onetonline.org/x", "onet", "official site"),
        ("https://www.xn--onetonlne-b0i.org/x", "onet", "official site"),  # punycode look-alike
        ("https://www.onetonlіne.org/x", "onet", "never holds"),  # Cyrillic i
        ('https://example.org/"><script>alert(1)</script>', None, "never holds"),
        ("https://example.org/a b", None, "spaces"),
        ("https://example.org/%zz", None, "hexadecimal"),
        ("https://127.0.0.1/x", None, "IP address"),
        ("https://localhost/x", None, "site name"),
        ("https://example.org:99999/", None, "port"),
        ("https://" + "a" * 2100 + ".org/", None, "characters long"),
        ("", None, "empty"),
        (None, None, "NoneType"),
    ],
)
def test_refused(url: object, framework: str | None, needle: str) -> None:
    why = url_problem(url, framework=framework)
    assert why is not None and needle in why, why


def test_images() -> None:
    assert image_problem("data:image/png;base64,iVBORw0KGgo=") is None
    assert image_problem("https://badges.example.edu/b.png") is None
    assert image_problem("data:image/svg+xml;base64,PHN2Zz4=") is not None
    assert image_problem("data:image/png;base64,<script>") is not None


@given(st.text())
def test_only_http_schemes_pass(text: str) -> None:
    if url_problem(text) is None:
        assert text.lower().startswith(("http://", "https://"))
        assert "@" not in text.split("/")[2]
    for key in FRAMEWORK_HOSTS:
        if url_problem(text, framework=key) is None:
            host = text.split("/")[2].split(":")[0].lower()
            assert any(host == h or host.endswith("." + h) for h in FRAMEWORK_HOSTS[key])


@given(st.text(max_size=60))
def test_segment_quoting_is_safe_and_reversible(text: str) -> None:
    from urllib.parse import unquote

    quoted = quote_segment(text)
    assert url_problem(f"https://b.example.edu/achievements/{quoted}") is None or not text
    assert unquote(quoted) == text
    assert not {"/", "?", "#", " "} & set(quoted)


@settings(max_examples=300)
@given(st.text())
def test_markdown_text_shows_what_was_written(text: str) -> None:
    md = markdown_text(text)
    assert "\n" not in md
    assert unmarkdown_text(md) == " ".join(plain_text(text).split())
    # no unescaped markup character is left
    i = 0
    while i < len(md):
        if md[i] == "\\":
            i += 2
            continue
        assert md[i] not in "`*_[]<>&~|", (md, i)
        i += 1


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False)))
def test_csv_cells_round_trip_and_never_start_a_formula(value: object) -> None:
    cell = neutralise_csv_cell(value)
    assert restore_csv_cell(cell) == value if isinstance(value, str) else cell == value
    if isinstance(cell, str):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
