"""Report writer and plots on small synthetic inputs (no dependence on the domain data)."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from dea.exceptions import InputDataError
from socialperf import plots
from socialperf.report import Report, dea_table


def _external_refs(text: str) -> list[str]:
    """Every src/href value that is neither a data: URI nor an in-page anchor."""
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", text, flags=re.I)
    refs += re.findall(r"url\(([^)]*)\)", text)
    return [r for r in refs if not (r.startswith("data:") or r.startswith("#"))]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ----------------------------------------------------------------------------- frontier


def test_frontier_vrs_hand_case():
    # units A(1,1) B(2,3) C(3,3.5) D(4,2) E(2,1): VRS frontier is A-B-C then flat
    front = plots.frontier_points([1, 2, 3, 4, 2], [1, 3, 3.5, 2, 1], rts="vrs")
    np.testing.assert_allclose(front[:-1], [[1, 0], [1, 1], [2, 3], [3, 3.5]])
    assert front[-1, 1] == 3.5 and front[-1, 0] >= 4


def test_frontier_crs_is_best_ratio_ray():
    front = plots.frontier_points([1, 2, 3, 4], [1, 3, 3.5, 2], rts="crs")
    slope = front[1, 1] / front[1, 0]
    assert slope == pytest.approx(1.5)  # B: 3/2 is the best output per input


def test_frontier_two_outputs_hull():
    # points per unit input; (3,1), (2,2.5), (1,3) are on the hull, (0.5,0.5) and (2,1) not
    front = plots.frontier_points([1, 2, 3, 0.5, 2], [3, 2.5, 1, 0.5, 1], kind="outputs")
    np.testing.assert_allclose(front, [[0, 3], [1, 3], [2, 2.5], [3, 1], [3, 0]])


def test_frontier_rejects_negative_and_bad_rts():
    with pytest.raises(InputDataError, match="non-negative"):
        plots.frontier_points([1, -2], [1, 1])
    with pytest.raises(InputDataError, match="rts='nirs'"):
        plots.frontier_points([1, 2], [1, 1], rts="nirs")


def test_dea_frontier_axes_labels_units_and_frontier_units():
    df = pd.DataFrame({"staff": [1, 2, 3, 4, 2], "clients": [1, 3, 3.5, 2, 1]},
                      index=list("ABCDE"))
    ax = plots.dea_frontier(df, inputs=["staff"], outputs=["clients"],
                            units={"staff": "FTE", "clients": "borrowers"})
    assert ax.get_xlabel() == "staff (FTE)"
    assert ax.get_ylabel() == "clients (borrowers)"
    labelled = sorted(t.get_text() for t in ax.texts)
    assert labelled == ["A", "B", "C"]  # the units on the VRS frontier


def test_dea_frontier_two_outputs_needs_crs():
    df = pd.DataFrame({"x": [1.0, 2.0, 1.0], "y1": [1, 2, 3], "y2": [3, 2, 1]})
    with pytest.raises(InputDataError, match="rts='crs'"):
        plots.dea_frontier(df, inputs=["x"], outputs=["y1", "y2"], rts="vrs")
    ax = plots.dea_frontier(df, inputs=["x"], outputs=["y1", "y2"], rts="crs",
                            units={"x": "staff"})
    assert ax.get_xlabel() == "y1 per staff"


def test_dea_frontier_rejects_three_inputs_and_missing_column():
    df = pd.DataFrame({"a": [1.0, 2], "b": [1.0, 2], "y": [1.0, 2]})
    with pytest.raises(InputDataError, match="one input"):
        plots.dea_frontier(df, inputs=["a", "b"], outputs=["y"])
    with pytest.raises(InputDataError, match="'zz'"):
        plots.dea_frontier(df, inputs=["zz"], outputs=["y"])


def _frontier_line(ax):
    (line,) = [ln for ln in ax.lines if ln.get_label() == "frontier"]
    return line.get_xydata()


def _distance_to_polyline(points, line):
    """Distance of each point to a polyline (both already in the coordinates to compare)."""
    out = np.full(len(points), np.inf)
    for a, b in itertools.pairwise(line):
        d = b - a
        t = np.clip(((points - a) @ d) / max(d @ d, 1e-300), 0.0, 1.0)
        out = np.minimum(out, np.hypot(*(a + t[:, None] * d - points).T))
    return out


# staff -> borrowers spanning four orders of magnitude, as in the MIX panel; the LP scores
# are the input-oriented VRS thetas of dea.Radial on these eight units.
_WIDE = pd.DataFrame(
    {"staff": [2.0, 3, 18, 25, 140, 900, 2300, 7000],
     "borrowers": [25.0, 11, 33_000, 9_000, 70_000, 200_000, 420_000, 800_000]},
    index=[f"m{i}" for i in range(8)],
)


def _wide_scores():
    import dea

    return dea.Radial(_WIDE, inputs=["staff"], outputs=["borrowers"], rts="vrs").fit().scores


def test_log_axes_auto_rule():
    assert plots.use_log_axes([1, 50], [1, 2]) is False  # span 50 < 100
    assert plots.use_log_axes([1, 2], [1, 101]) is True  # output spans > 2 decades
    assert plots.use_log_axes([0, 5000], [1, 2]) is False  # a zero cannot go on a log axis
    assert plots.use_log_axes([1, 2], [1, 2], log=True) is True
    with pytest.raises(InputDataError, match="log=True"):
        plots.use_log_axes([0, 2], [1, 2], log=True)
    with pytest.raises(InputDataError, match="log='yes'"):
        plots.use_log_axes([1, 2], [1, 2], log="yes")
    ax = plots.dea_frontier(_WIDE, inputs=["staff"], outputs=["borrowers"])
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    small = _WIDE.iloc[2:5]  # staff 18-140, borrowers 9,000-70,000: under 100x
    ax = plots.dea_frontier(small, inputs=["staff"], outputs=["borrowers"])
    assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "linear")


@pytest.mark.parametrize("log", [True, False])
def test_drawn_vrs_frontier_passes_through_every_efficient_unit(log):
    scores = _wide_scores()
    efficient = scores.index[scores >= 1 - 1e-9]
    assert list(efficient) == ["m0", "m2", "m4", "m5", "m6", "m7"]  # m1, m3 lie inside
    ax = plots.dea_frontier(_WIDE, inputs=["staff"], outputs=["borrowers"], scores=scores,
                            log=log)
    line = _frontier_line(ax)
    pts = _WIDE.to_numpy(float)
    if log:
        line, pts = np.log10(line), np.log10(pts)
    scale = np.ptp(line, axis=0)
    dist = _distance_to_polyline(pts / scale, line / scale)
    on = pd.Series(dist < 1e-9, index=_WIDE.index)
    assert on[efficient].all()
    assert not on[["m1", "m3"]].any()
    # free-disposal ends reach the edges of the plotted region: down from the
    # smallest-input efficient unit, right of the largest one
    raw = _frontier_line(ax)
    assert raw[0, 0] == 2.0 and raw[0, 1] == pytest.approx(ax.get_ylim()[0])
    assert raw[-1, 1] == 800_000 and raw[-1, 0] == pytest.approx(ax.get_xlim()[1])
    if log:  # the straight VRS facets are curves on log axes: densely sampled
        assert len(raw) > 100


def test_drawn_vrs_frontier_matches_lp_scores_on_log_axes():
    """Theta read off the drawn (densely sampled) log-axes frontier equals the LP scores."""
    scores = _wide_scores()
    ax = plots.dea_frontier(_WIDE, inputs=["staff"], outputs=["borrowers"], log=True)
    line = _frontier_line(ax)[1:]  # from the smallest-input unit up and to the right
    top = np.argmax(line[:, 1] >= line[:, 1].max())
    body = line[: top + 1]
    y = _WIDE["borrowers"].to_numpy(float)
    x_star = np.where(y <= body[0, 1], body[0, 0], np.interp(y, body[:, 1], body[:, 0]))
    np.testing.assert_allclose(x_star / _WIDE["staff"].to_numpy(float), scores.to_numpy(),
                               rtol=1e-9)


def test_dea_frontier_labels_efficient_units_by_name():
    names = pd.Series({"m0": "CMECEL", "m2": "Onibu", "m7": "A very long bank name that goes on"})
    ax = plots.dea_frontier(_WIDE, inputs=["staff"], outputs=["borrowers"],
                            scores=_wide_scores(), names=names)
    shown = {t.get_text() for t in ax.texts if t.get_visible()}
    # named units show their name (shortened), the others their label; m1, m3 unlabelled
    assert {"CMECEL", "Onibu", "m4", "m5", "m6"} <= shown
    assert any(t.startswith("A very long bank name") and len(t) == 24 for t in shown)
    assert not {"m1", "m3"} & shown
    named = _WIDE.assign(name=["a", "b", "c", "d", "e", "f", "g", "h"])
    ax = plots.dea_frontier(named, inputs=["staff"], outputs=["borrowers"], names="name",
                            label="all")
    assert {t.get_text() for t in ax.texts} <= set("abcdefgh")
    with pytest.raises(InputDataError, match="'nom'"):
        plots.dea_frontier(named, inputs=["staff"], outputs=["borrowers"], names="nom")


def test_hide_overlapping_labels_ignores_leader_lines():
    """An annotation's leader line may cross another label; only the texts count."""
    _, ax = plt.subplots(figsize=(4, 4))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    arrow = {"arrowstyle": "-", "lw": 0.5}
    ax.annotate("first", (1, 1), xytext=(6, 8), textcoords="data", arrowprops=arrow)
    ax.annotate("second", (9, 1), xytext=(6, 5), textcoords="data", arrowprops=arrow)
    assert plots.hide_overlapping_labels(ax) == 0
    ax.annotate("third", (2, 2), xytext=(6, 5), textcoords="data", arrowprops=arrow)
    assert plots.hide_overlapping_labels(ax) == 1  # same spot as "second"
    assert [t.get_text() for t in ax.texts if t.get_visible()] == ["first", "second"]


# ----------------------------------------------------------------------------- other plots


def test_scheme_ranks_reports_spearman():
    scores = pd.DataFrame({"a": [4.0, 3, 2, 1], "b": [1.0, 2, 3, 4]}, index=list("PQRS"))
    ax = plots.scheme_ranks(scores, "a", "b")
    assert "rho = -1.00" in ax.get_title()
    same = plots.scheme_ranks(scores.assign(c=scores["a"] * 10), "a", "c")
    assert "rho = 1.00" in same.get_title()


def test_miv_profile_radar_and_bar():
    block = pd.DataFrame(
        {"mission": [0.8, 0.4], "practice": [0.6, np.nan], "outreach": [0.3, 0.9]},
        index=["M1", "M2"],
    )
    ax = plots.miv_profile(block)
    assert ax.name == "polar"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["M1", "M2 (n/a: 1)"]
    bar = plots.miv_profile(block[["mission", "outreach"]])  # 2 dims: bars
    assert bar.name == "rectilinear"
    with pytest.raises(InputDataError, match="kind='pie'"):
        plots.miv_profile(block, kind="pie")


# ----------------------------------------------------------------------------- report


def test_report_writes_all_files_self_contained(tmp_path):
    df = pd.DataFrame({"x": [1.5, 2.5], "y": ["a<b", "c"]}, index=["u1", "u2"])
    rep = Report("Test <report>", provenance="Data: test & friends")
    rep.section("One").text("Some text with <b>markup</b>").table("scores", df, caption="cap")
    _, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    rep.figure("line", ax, caption="a line")
    rep.section("Two").table("scores", df["x"])  # same name: made unique
    rep.try_figure("broken", lambda: plots.scheme_ranks(df, "x", "nope"))
    files = rep.write(tmp_path / "out")

    assert sorted(files.tables) == ["scores", "scores_2"]
    assert (tmp_path / "out" / "tables" / "scores.csv").is_file()
    assert (tmp_path / "out" / "figures" / "line.png").read_bytes()[:4] == b"\x89PNG"
    back = pd.read_csv(files.tables["scores"], index_col=0)
    pd.testing.assert_frame_equal(back, df)
    sheets = pd.read_excel(files.excel, sheet_name=None, index_col=0)
    assert sorted(sheets) == ["scores", "scores_2"]
    assert sheets["scores_2"]["x"].tolist() == [1.5, 2.5]

    text = files.html.read_text(encoding="utf-8")
    assert _external_refs(text) == []
    assert text.count("data:image/png;base64,") == 1
    assert "&lt;b&gt;markup&lt;/b&gt;" in text  # text is escaped
    assert "a&lt;b" in text
    assert "Data: test &amp; friends" in text
    assert "Figure &#x27;broken&#x27; not drawn" in text  # visible note, not a lost report


def test_report_truncates_long_tables_in_html_only(tmp_path):
    df = pd.DataFrame({"v": np.arange(100.0)})
    rep = Report("long").table("long", df, max_rows=10)
    files = rep.write(tmp_path)
    assert "First 10 of 100 rows" in files.html.read_text()
    assert len(pd.read_csv(files.tables["long"])) == 100


def test_long_table_names_give_unique_sheets(tmp_path):
    rep = Report("x")
    long = "a_very_long_table_name_that_excel_cannot_hold"
    rep.table(long + "_one", pd.DataFrame({"v": [1]}))
    rep.table(long + "_two", pd.DataFrame({"v": [2]}))
    files = rep.write(tmp_path)
    sheets = pd.read_excel(files.excel, sheet_name=None)
    assert len(sheets) == 2 and all(len(name) <= 31 for name in sheets)
    assert sorted(int(f["v"].iloc[0]) for f in sheets.values()) == [1, 2]
    assert sorted(files.tables) == [long + "_one", long + "_two"]  # CSV names stay whole


def test_report_rejects_non_frame():
    with pytest.raises(InputDataError, match="expected a DataFrame"):
        Report("x").table("t", [1, 2, 3])


class _FakeResult:
    scores = pd.Series([1.0, 0.5], index=["A", "B"])
    status = pd.Series(["optimal", "optimal"], index=["A", "B"])
    slacks = pd.DataFrame({"x": [0.0, 0.25], "y": [0.0, 0.0]}, index=["A", "B"])
    peers = pd.Series([["A"], ["A", "C"]], index=["A", "B"])


def test_dea_table_flattens_result():
    table = dea_table(_FakeResult())
    assert list(table.columns) == ["score", "status", "slack_x", "slack_y", "peers"]
    assert table.loc["B", "peers"] == "A; C"
    assert table.loc["B", "slack_x"] == 0.25


def test_dea_table_peers_from_lambda_frame():
    res = _FakeResult()
    res.peers = pd.DataFrame({"A": [1.0, 0.3], "B": [0.0, 0.0], "C": [0.0, 0.7]},
                             index=["A", "B"])
    assert dea_table(res)["peers"].tolist() == ["A", "A; C"]
