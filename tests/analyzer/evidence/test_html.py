"""Tests of the self-contained HTML report, in text and in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzer.evidence import gather, render_html
from tests.analyzer.evidence import chromium
from tests.analyzer.evidence.test_gather import _core_spans

REPORT = {
    "entry_requests": 10,
    "failed": 6,
    "hypotheses": [
        {
            "id": "H1",
            "title": "scheduled-time validation",
            "verdict": "confirmed",
            "count": 6,
            "share": 1.0,
            "examples": ["00000000000000070000000000000001"],
        },
        {"id": "H2", "title": "auth lost", "verdict": "not_observed", "count": 0},
    ],
    "groups": [{"cause": "schedule.in_past", "count": 6, "share": 1.0}],
}


@pytest.fixture(scope="module")
def page() -> str:
    """The HTML report of the ten clock-skew traces."""
    return render_html(REPORT, gather(_core_spans(), None))


def test_plotly_is_inline_and_nothing_is_fetched(page: str) -> None:
    """No script, stylesheet or image is loaded from elsewhere."""
    assert re.search(r"<(script|link|img)[^>]+(src|href)=", page) is None
    assert "Plotly" in page


def test_verdicts_and_key_numbers_are_in_the_page(page: str) -> None:
    """The verdict table, the offset and the sub-verdict are written as text."""
    assert "scheduled-time validation" in page
    assert "+90.000 s" in page
    assert "clocks of the two servers disagree" in page


def test_telemetry_text_is_escaped() -> None:
    """A cause carrying markup is shown, not executed."""
    report = {"groups": [{"cause": "<script>alert(1)</script>", "count": 1}]}

    page = render_html(report, gather(None, None))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_empty_evidence_still_renders_every_chart() -> None:
    """With no telemetry the charts say so instead of failing."""
    page = render_html({}, gather(None, None))

    assert page.count("no failed requests") == 1
    assert "server span pairs" in page


@pytest.mark.e2e
@pytest.mark.skipif(chromium.CHROMIUM is None, reason="needs Debian's chromium")
def test_the_report_renders_in_headless_chromium(page: str, tmp_path: Path) -> None:
    """Chromium draws a page that is not one colour and shows verdicts and numbers."""
    from PIL import Image

    html_file = tmp_path / "report.html"
    html_file.write_text(page)
    png = tmp_path / "report.png"

    chromium.screenshot(html_file, png, tmp_path / "profile")
    text = chromium.dom_text(html_file, tmp_path / "profile")

    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 10
    assert "confirmed" in text and "+90.000 s" in text
    # Plotly ran: it replaces each chart div's content with an SVG.
    assert text.count("main-svg") >= 3
