"""Headless-browser harness for the HTML documents reinscore produces.

`render` opens a local HTML file in the system's Chromium (Debian's `chromium`, installed
by tools/install-deps.sh) through Playwright, which never downloads a browser of its own
here: it is pointed at the installed binary. JavaScript stays enabled so that a script
error or a Content-Security-Policy violation shows up as a console error.

A missing Chromium or Playwright FAILS the calling test (CI installs both; a silent skip
would be a test that cannot fail) unless REINSCORE_NO_BROWSER=1, which skips it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Request, Route

# URLs that carry their content inline: loading them never touches the network.
_INLINE_SCHEMES = ("data:", "blob:", "about:")

# Root in a container has no user namespaces for Chromium's sandbox; /dev/shm is often
# tiny there. Resolving every host to nothing is a second wall behind the route below, for
# fetches a route does not see (DNS prefetch, service workers).
_CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


@dataclass(frozen=True)
class Rendered:
    """What a page did while it loaded, and what it looks like on screen and on A4."""

    console_errors: list[str]  # console errors and warnings (CSP reports too), page errors
    requests: list[str]  # every URL fetched other than the document and inline data:
    screenshot: Path  # full-page PNG at the given width
    pdf: Path  # A4 print with backgrounds, as the print stylesheet lays it out
    pdf_pages: int
    evaluated: Any = None  # the value of render(..., evaluate=...)


def chromium_path() -> str | None:
    """The system Chromium, or None."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def require_browser() -> str:
    """Path of the Chromium to drive; fails (or skips under REINSCORE_NO_BROWSER=1) the
    calling test if it or Playwright is missing."""
    problems: list[str] = []
    exe = chromium_path()
    if exe is None:
        problems.append("no `chromium` on PATH (Debian package chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("Python package playwright is not installed")
    if exe is None or problems:
        why = "; ".join(problems)
        if os.environ.get("REINSCORE_NO_BROWSER") == "1":
            pytest.skip(f"REINSCORE_NO_BROWSER=1: {why}")
        pytest.fail(
            f"browser tests need Chromium and Playwright: {why}. Install them with "
            "tools/install-deps.sh, or set REINSCORE_NO_BROWSER=1 to skip these tests",
            pytrace=False,
        )
    return exe


def render(path: Path, out_dir: Path, *, width: int = 1200, evaluate: str | None = None) -> Rendered:
    """Load the local HTML file `path` offline and record its errors, requests, look and
    A4 print. Files are written to out_dir as <stem>.png and <stem>.pdf. `evaluate`, when
    given, is a JavaScript expression run in the loaded page through the DevTools protocol
    (the page's own CSP forbids scripts); its value is `Rendered.evaluated`."""
    exe = require_browser()
    from playwright.sync_api import sync_playwright

    doc_url = path.resolve().as_uri()
    out_dir.mkdir(parents=True, exist_ok=True)
    screenshot = out_dir / f"{path.stem}.png"
    pdf = out_dir / f"{path.stem}.pdf"
    console_errors: list[str] = []
    requests: list[str] = []
    evaluated: Any = None

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type in ("error", "warning"):
            console_errors.append(f"{msg.type}: {msg.text}")

    def on_page_error(err: Exception) -> None:
        console_errors.append(f"pageerror: {err}")

    def on_request(req: Request) -> None:
        if req.url != doc_url and not req.url.startswith(_INLINE_SCHEMES):
            requests.append(req.url)

    def on_route(route: Route) -> None:
        # Only the document itself may load; everything else is recorded and refused.
        if route.request.url == doc_url:
            route.continue_()
        else:
            route.abort("blockedbyclient")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=_CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 800})
            # A hung page should fail within a test's budget, not after Playwright's 30 s.
            page.set_default_timeout(10_000)
            page.on("console", on_console)
            page.on("pageerror", on_page_error)
            page.on("request", on_request)
            page.route("**/*", on_route)
            page.goto(doc_url, wait_until="load")
            if evaluate is not None:
                evaluated = page.evaluate(evaluate)
            page.screenshot(path=str(screenshot), full_page=True)
            page.pdf(path=str(pdf), format="A4", print_background=True)
            # A last round trip so events the page sent before printing are delivered.
            page.evaluate("0")
        finally:
            browser.close()

    return Rendered(
        console_errors=console_errors,
        requests=requests,
        screenshot=screenshot,
        pdf=pdf,
        pdf_pages=pdf_page_count(pdf),
        evaluated=evaluated,
    )


def pdf_page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def pdf_text(pdf: Path) -> list[str]:
    """The text of each page, to check what the print stylesheet keeps or drops."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(pdf).pages]


def is_blank(png: Path, *, share: float = 0.995) -> bool:
    """True if at least `share` of the image's pixels have one colour."""
    from PIL import Image  # pillow comes with matplotlib

    with Image.open(png) as img:
        rgb = img.convert("RGB")
        total = rgb.width * rgb.height
        colours = rgb.getcolors(maxcolors=total)
    assert colours is not None  # maxcolors=total cannot be exceeded
    return max(count for count, _ in colours) >= share * total
