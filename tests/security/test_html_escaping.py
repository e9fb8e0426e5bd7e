"""Every user string reaches ``index.html`` as text, never as markup.

The page is parsed with :mod:`html.parser`; a user string containing a tag or an attribute
must come back as character data (so it was escaped), and the page holds only the tags the
writer itself emits.
"""

from __future__ import annotations

from html.parser import HTMLParser

import matplotlib
import pandas as pd

from socialperf.report import _JS, Report

matplotlib.use("Agg")

ATTACKS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "</p><iframe src=javascript:alert(4)>",
    "a & b < c",
)
WRITER_TAGS = {
    "script",  # the report's own sorting/filtering script, checked to be exactly _JS below
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "h1",
    "h2",
    "p",
    "b",
    "nav",
    "ul",
    "li",
    "a",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "img",
    "figcaption",
    "hr",
    "details",  # the settings block (settings.toml shown at the end of the page)
    "summary",
    "pre",
    "code",
}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def _check_page(text: str, expected: list[str]) -> None:
    page = _parse(text)
    assert set(page.tags) <= WRITER_TAGS, set(page.tags) - WRITER_TAGS
    assert page.tags.count("script") == 1  # the report's own, holding no user data:
    assert text.count("<script>") == 1 and f"<script>{_JS}</script>" in text
    assert not [a for a, _ in page.attrs if a.lower().startswith("on")]
    assert not [v for _, v in page.attrs if v and "javascript:" in v.lower()]
    data = "".join(page.text)
    for s in expected:
        assert s in data, s


def test_every_report_string_is_escaped(tmp_path):
    a, b, c, d, e = ATTACKS
    frame = pd.DataFrame(
        {f"indicator {a}": [0.5, 0.25], "name": [b, c]},
        index=pd.Index([f"id {d}", f"id {e}"], name=f"unit {a}"),
    )
    rep = Report(f"study {a}", provenance=f"notes {b}")
    rep.section(f"section {c}")
    rep.text(f"note {d}")
    rep.table(f"table {e}", frame, caption=f"caption {a}")
    rep.section("second")
    rep.try_figure(f"fig {b}", lambda: (_ for _ in ()).throw(ValueError(f"cannot {c}")))
    files = rep.write(tmp_path / "out")
    _check_page(
        files.html.read_text(encoding="utf-8"),
        [
            f"study {a}",
            f"notes {b}",
            f"section {c}",
            f"note {d}",
            f"caption {a}",
            f"indicator {a}",
            b,
            c,
            f"id {d}",
            f"id {e}",
            f"unit {a}",
            f"cannot {c}",
        ],
    )


def test_figure_name_and_caption_are_escaped(tmp_path):
    import matplotlib.pyplot as plt

    _fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    rep = Report("r")
    rep.figure('f"><script>x</script>', ax, caption=ATTACKS[1])
    _check_page(rep.to_html(), [ATTACKS[1]])


def test_truncation_note_escapes_table_name(tmp_path):
    rep = Report("r")
    rep.table("t", pd.DataFrame({"v": range(5)}), max_rows=2)
    _check_page(rep.to_html(), ["First 2 of 5 rows"])


def test_hostile_study_page(hostile_report, hostile_study_name):
    text = (hostile_report / "index.html").read_text(encoding="utf-8")
    _check_page(text, [hostile_study_name, "=MIV01", "=100541"])
    assert text.count("<script>") == 1 and f"<script>{_JS}</script>" in text
