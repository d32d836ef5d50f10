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
