"""End to end: ``socialperf run`` on a study whose MFI file is the raw shared MIX panel.

The MIX Market release (``../shared/data/mix``) is read as it comes, with the default
screening; the exclusions table the command writes is checked against a plain-pandas
recomputation of the rules (``mix_independent.py``), and the user's file is unchanged.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from mix_independent import MIX, independent_counts

from socialperf.cli import main
from socialperf.study import Study, StudyConfigError

pytestmark = pytest.mark.skipif(
    not MIX.exists(), reason="the shared MIX panel (../shared/data/mix) is absent"
)


def _study(tmp_path, extra: str = "") -> str:
    path = tmp_path / "study.toml"
    path.write_text(
        f'[study]\nname = "MIX raw"\nyear = 2011\n\n[data]\nmfis = "{MIX.as_posix()}"\n{extra}',
        encoding="utf-8",
    )
    return str(path)


def test_run_on_raw_mix_panel_with_defaults(tmp_path, capsys) -> None:
    before = hashlib.sha256(MIX.read_bytes()).hexdigest()
    out = tmp_path / "out"
    code = main(["run", _study(tmp_path), "--out", str(out)])
    stdout, _ = capsys.readouterr()
    assert code == 0
    assert hashlib.sha256(MIX.read_bytes()).hexdigest() == before  # file untouched

    want = independent_counts()
    counts = pd.read_csv(out / "tables" / "screening_counts.csv", index_col="rule")
    for rule in ("nonpositive", "outside_unit", "glp_gt_assets", "alb_inconsistent"):
        assert counts.loc[rule, "values_set_missing"] == want[rule], rule
    assert counts.loc["period_type", "rows_dropped"] == want["period_type"]
    assert counts.loc["no_lending", "rows_dropped"] == want["no_lending"]

    ex = pd.read_csv(out / "tables" / "screening_exclusions.csv")
    assert list(ex.columns[:8]) == ["mfiid", "mfiname", "year", "column", "source_column",
                                    "value", "rule", "action"]
    assert (ex["action"] == "set missing").sum() == sum(
        want[r] for r in ("nonpositive", "outside_unit", "glp_gt_assets", "alb_inconsistent")
    )
    # the file's own column name next to the catalogue's
    wo = ex.loc[ex["column"] == "write_off_ratio", "source_column"]
    assert len(wo) and set(wo) == {"write-off_ratio"}

    scores = pd.read_csv(out / "tables" / "mfi_scores.csv", index_col=0)
    assert scores.notna().any(axis=1).sum() > 100
    # an MFI a scheme cannot score is listed with the reason, never silently dropped
    excluded = pd.read_csv(out / "tables" / "mfi_excluded.csv", dtype={"mfi": str})
    for scheme in scores.columns:
        unscored = set(scores.index[scores[scheme].isna()].astype(str))
        listed = set(excluded.loc[excluded["scheme"] == scheme, "mfi"])
        assert unscored <= listed, (scheme, sorted(unscored - listed)[:5])
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Data screening" in html and "data.screening" in html
    assert f"{want['rows_kept']:,} kept" in stdout
    # [miv] is enabled by default but there are no holdings: said, not skipped silently
    assert "Not run:" in stdout and "MIV index not computed" in stdout
    assert "Not run: MIV index not computed" in html and "data.holdings" in html


def test_screening_off_fails_on_impossible_values(tmp_path, capsys) -> None:
    """Without screening the raw panel's negative write-off ratios stop the run, by name."""
    code = main(["run", _study(tmp_path, "screening = false\n"), "--out", str(tmp_path / "o")])
    _, err = capsys.readouterr()
    assert code != 0
    assert "write_off_ratio" in err and "data.mfis" in err


def test_screening_table_round_trips_and_checks_keys(tmp_path) -> None:
    st = Study.from_toml(_study(tmp_path, "\n[data.screening]\nglp_assets_max = 2.0\n"))
    assert st.screening.glp_assets_max == 2.0
    again = tmp_path / "again.toml"
    st.to_toml(again)
    assert Study.from_toml(again) == st
    with pytest.raises(StudyConfigError, match=r"data\.screening.*glp_max"):
        Study.from_toml(_study(tmp_path, "\n[data.screening]\nglp_max = 2.0\n"))
    with pytest.raises(StudyConfigError, match=r"data\.screening"):
        Study.from_toml(_study(tmp_path, "screening = 3\n"))
    off = Study.from_toml(_study(tmp_path, "screening = false\n"))
    assert off.screening is None and Study.from_toml(off.to_toml(again) and again) == off
