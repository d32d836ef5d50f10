"""The headless-browser harness (_browser.py) sees what it is meant to see: a clean
self-contained page passes, and an external load, a script error and a blank page are
all reported, so a report test built on it can fail."""

from __future__ import annotations

from pathlib import Path

import _browser
import pytest
from _browser import is_blank, pdf_text, render

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
EXTERNAL = "http://example.invalid/x.png"

# A 1x1 red SVG as a data: URL, which the CSP allows: inline data is not a request.
_DOT = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'%3E"
    "%3Crect width='1' height='1' fill='red'/%3E%3C/svg%3E"
)


def _page(body: str, *, csp: str | None = CSP, style: str = "") -> str:
    meta = f'<meta http-equiv="Content-Security-Policy" content="{csp}">' if csp else ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">{meta}'
        f"<title>t</title><style>{style}</style></head><body>{body}</body></html>"
    )


def _write(tmp_path: Path, name: str, html: str) -> Path:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def test_self_contained_page_is_clean_and_prints_two_pages(tmp_path: Path) -> None:
    style = (
        "@page { size: A4; margin: 15mm }"
        "body { font-family: sans-serif; color: #123 }"
        ".next { break-before: page }"
        "@media print { nav { display: none } }"
    )
    body = (
        "<nav>screen only</nav><h1>Page one</h1>"
        '<svg width="200" height="100" role="img" aria-label="bar">'
        '<rect width="160" height="60" fill="#2a6"/></svg>'
        f'<img src="{_DOT}" width="20" height="20" alt="dot">'
        '<h1 class="next">Page two</h1>'
    )
    r = render(_write(tmp_path, "clean.html", _page(body, style=style)), tmp_path / "out")
    assert r.console_errors == []
    assert r.requests == []
    assert r.screenshot.is_file() and not is_blank(r.screenshot)
    assert r.pdf.read_bytes().startswith(b"%PDF")
    assert r.pdf_pages == 2
    # The print stylesheet applies: the nav is gone, the break is where it was asked for.
    assert [t.strip() for t in pdf_text(r.pdf)] == ["Page one", "Page two"]


def test_external_image_and_inline_script_are_reported_under_csp(tmp_path: Path) -> None:
    body = f'<p>text</p><img src="{EXTERNAL}" alt="x"><script>throw new Error("boom")</script>'
    r = render(_write(tmp_path, "csp.html", _page(body)), tmp_path / "out")
    # Chromium reports the attempt as a request, then refuses it with a CSP console error;
    # the inline script is refused before it can run, so it never throws.
    assert r.requests == [EXTERNAL]
    assert len(r.console_errors) == 2, r.console_errors
    image, script = r.console_errors
    assert "Content Security Policy" in image and EXTERNAL in image
    assert "Content Security Policy" in script and "inline script" in script
    assert not any("boom" in e for e in r.console_errors)


def test_external_image_and_script_error_are_reported_without_csp(tmp_path: Path) -> None:
    body = f'<p>text</p><img src="{EXTERNAL}" alt="x"><script>throw new Error("boom")</script>'
    r = render(_write(tmp_path, "nocsp.html", _page(body, csp=None)), tmp_path / "out")
    assert r.requests == [EXTERNAL]
    assert "pageerror: boom" in r.console_errors
    # The harness's route refused the image, so nothing left the machine.
    assert any("ERR_BLOCKED_BY_CLIENT" in e for e in r.console_errors), r.console_errors


def test_blank_page_is_blank(tmp_path: Path) -> None:
    r = render(_write(tmp_path, "blank.html", _page("")), tmp_path / "out")
    assert r.console_errors == [] and r.requests == []
    assert is_blank(r.screenshot)
    assert r.pdf_pages == 1


def test_missing_browser_fails_unless_opted_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_browser, "chromium_path", lambda: None)
    monkeypatch.delenv("REINSCORE_NO_BROWSER", raising=False)
    with pytest.raises(pytest.fail.Exception, match="REINSCORE_NO_BROWSER=1"):
        _browser.require_browser()
    monkeypatch.setenv("REINSCORE_NO_BROWSER", "1")
    with pytest.raises(pytest.skip.Exception):
        _browser.require_browser()
