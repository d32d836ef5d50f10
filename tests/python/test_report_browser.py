"""The evaluators' report as people see it: rendered by a real browser (Debian's
chromium through Playwright, tests/python/_browser.py), offline, in each language, and
printed to an A4 PDF."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import reinscore
from _browser import is_blank, pdf_text, render
from _helpers import SAMPLE

SECTIONS = {
    "en": ["Key figures", "By country", "Case management", "Data quality", "Change across rounds",
           "Reliability", "Methods"],
    "fr": ["Chiffres clés", "Par country", "Gestion des cas", "Qualité des données",
           "Évolution entre les passages", "Fiabilité", "Méthodes"],
    "pt": ["Números principais", "Por country", "Gestão de casos", "Qualidade dos dados",
           "Mudança entre rondas", "Fiabilidade", "Métodos"],
}


@pytest.mark.parametrize("lang", ["en", "fr", "pt"])
def test_renders_offline_and_prints(tmp_path: Path, lang: str) -> None:
    html = reinscore.report(SAMPLE, by="country", returnee_id="returnee_id", round="round",
                            lang=lang).save(tmp_path / f"report_{lang}.html")
    r = render(html, tmp_path)
    assert r.console_errors == [], r.console_errors
    assert r.requests == [], r.requests
    assert not is_blank(r.screenshot)
    assert r.pdf_pages >= 6, r.pdf_pages  # a page per section at least
    # NFKC: the PDF's text has ligatures ("ﬁ" in "figures").
    pages = [unicodedata.normalize("NFKC", p) for p in pdf_text(r.pdf)]
    text = "\n".join(pages)
    for title in SECTIONS[lang]:
        assert title in text, (lang, title)
    # Sections start on a new page: each title is on a page of its own start.
    starts = [i for i, p in enumerate(pages) for t in SECTIONS[lang][2:] if p.lstrip().startswith(t)]
    assert len(starts) >= 3, [p[:40] for p in pages]
    assert "PROVISIONAL" in pages[0] or "PROVISOIRE" in pages[0] or "PROVISÓRIO" in pages[0]


# Every piece of text with its colour and the colour behind it (the first ancestor with a
# background that is not transparent), as the browser computes them.
_COLOURS = """
[...document.querySelectorAll('h1, h2, p, th, td, caption, figcaption, li, a, svg text')]
  .filter(e => e.textContent.trim().length > 0)
  .map(e => {
    const s = getComputedStyle(e);
    let b = e, bg = 'rgba(0, 0, 0, 0)';
    while (b && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
      bg = getComputedStyle(b).backgroundColor; b = b.parentElement;
    }
    const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.66 && s.fontWeight >= 700);
    return [e.tagName, e.tagName === 'text' ? s.fill : s.color, bg, large];
  })
"""


def _luminance(css: str) -> float:
    parts = [float(x) for x in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]

    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in parts)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_text_has_sufficient_contrast(tmp_path: Path) -> None:
    """WCAG 2 AA: 4.5:1 for text, 3:1 for large text, for every text element the browser
    lays out (tables, notes, banners, chart labels)."""
    html = reinscore.report(SAMPLE, by="country").save(tmp_path / "report.html")
    colours = render(html, tmp_path, evaluate=_COLOURS).evaluated
    assert len(colours) > 100
    worst = []
    for tag, fg, bg, large in colours:
        a, b = _luminance(fg), _luminance("rgb(255, 255, 255)" if bg == "rgba(0, 0, 0, 0)" else bg)
        ratio = (max(a, b) + 0.05) / (min(a, b) + 0.05)
        if ratio < (3.0 if large else 4.5):
            worst.append((tag, fg, bg, round(ratio, 2)))
    assert not worst, worst[:5]
