"""What a study run produced: :class:`StudyResult` (tables and figures).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from socialperf.mfi import load_reference
from socialperf.study.config import Study
from socialperf.study.data import StudyData, study_year

if TYPE_CHECKING:
    from socialperf.study.sensitivity import SensitivityOutcome

logger = logging.getLogger("socialperf.study")

@dataclass(frozen=True, eq=False)
class StudyResult:
    """Everything a study run produced (see :func:`run_study`).

    Attributes
    ----------
    study : Study
    mfi_scores : pandas.DataFrame
        MFIs x schemes, higher = better, NaN where a scheme could not score an MFI.
    mfi_results : dict of str to MFIScores
        The full result of each scheme (details, exclusions).
    comparison : weighting.Comparison or None
        Rank agreement between the schemes (None with fewer than two schemes).
    dea : dea.DEAResult or None
        The study's DEA model on the MFI data of the study year.
    dea_data : pandas.DataFrame or None
        The inputs and outputs the DEA model was fitted on.
    dea_excluded : pandas.Series
        MFI -> reason, for MFIs left out of the DEA model (missing or non-positive data).
    miv : MIVScores or None
    sensitivity : SensitivityOutcome or None
    data : StudyData
    provenance : str
        Data attribution line.
    timings : dict of str to float
        Seconds per step.
    skipped : tuple of str
        Requested steps that could not run, each with the reason and the study key (also
        logged as warnings, printed by the command and shown in the report).
    dea_bootstrap : dea.BootstrapResult or None
        The Simar-Wilson bootstrap of the DEA model (``[dea] bootstrap > 0``).
    dea_cross : dea.CrossEfficiencyResult or None
        Cross-efficiency of the DEA units (``[dea] cross_efficiency = true``).
    """

    study: Study
    mfi_scores: pd.DataFrame
    mfi_results: dict[str, Any]
    comparison: Any
    dea: Any
    dea_data: pd.DataFrame | None
    dea_excluded: pd.Series
    miv: Any
    sensitivity: SensitivityOutcome | None
    data: StudyData
    provenance: str
    timings: dict[str, float]
    skipped: tuple[str, ...] = ()
    dea_bootstrap: Any = None
    dea_cross: Any = None

    def excluded_table(self) -> pd.DataFrame:
        """Long table (scheme, MFI, reason) of the MFIs a scheme could not score."""
        rows = []
        for scheme, res in self.mfi_results.items():
            excl = getattr(res, "excluded", None)
            if isinstance(excl, pd.Series):
                rows += [(scheme, str(k), str(v)) for k, v in excl.items()]
            elif isinstance(excl, pd.DataFrame):
                for k, row in excl.iterrows():
                    rows.append((scheme, str(k), "; ".join(map(str, row.to_numpy()))))
        for k, v in self.dea_excluded.items():
            rows.append(("dea model", str(k), str(v)))
        return pd.DataFrame(rows, columns=["scheme", "mfi", "reason"])

    def comparison_tables(self) -> dict[str, pd.DataFrame]:
        """Pairwise agreement tables (pairs, Spearman, Kendall, mean rank shift, movers)."""
        comp = self.comparison
        if comp is None:
            return {}
        out: dict[str, pd.DataFrame] = {"pairs": comp.pairs()}
        out["spearman"] = comp.spearman
        out["kendall"] = comp.kendall
        out["mean_rank_shift"] = comp.rank_shift
        out["movers"] = comp.movers(min(15, len(comp.common)))
        return out

    def dea_table(self) -> pd.DataFrame:
        """Scores, status, slacks and peers of the DEA model, by MFI.

        With ``[dea] bootstrap > 0``, the bootstrap columns follow ``score``:
        ``scores_bc``, ``lower``, ``upper``, ``bias``, ``std_error`` and
        ``use_bias_correction`` (see :class:`dea.BootstrapResult`).
        """
        if self.dea is None:
            return pd.DataFrame()
        table = dea_table(self.dea, cross=self.dea_cross)
        boot = self.dea_bootstrap
        if boot is not None:  # bootstrap columns after the score (see DEASpec)
            cols = {c: getattr(boot, c).reindex(table.index) for c in
                    ("scores_bc", "lower", "upper", "bias", "std_error", "use_bias_correction")}
            at = table.columns.get_loc("score") + 1
            for k, (name, col) in enumerate(cols.items()):
                table.insert(at + k, name, col)
        return table

    def miv_profile(self) -> pd.DataFrame:
        """MIV x dimension table for the profile figure.

        The look-through portfolio score, then the mean points of the MIV's own indicators
        in each catalogue dimension (equal weights within a dimension), all in [0, 1].
        """
        if self.miv is None:
            return pd.DataFrame()
        out = pd.DataFrame({"portfolio (look-through)": self.miv.portfolio})
        points = getattr(self.miv, "block_points", None)
        if isinstance(points, pd.DataFrame) and not points.empty:
            dims = self.data.catalogue.dimensions(list(points.columns))
            by_dim = points.T.groupby(dims.reindex(points.columns).to_numpy()).mean().T
            out = out.join(by_dim)
        return out

    def describe(self) -> str:
        """One paragraph on what was run, on what."""
        st = self.study
        n = len(self.mfi_scores)
        year = f"fiscal year {study_year(st, self.data)}"
        if st.year is None:
            year += " (the holdings' year, or the latest year in the data)"
        parts = [
            f"{n} MFIs with data for {year}, scored under {len(self.mfi_scores.columns)} "
            f"scheme(s): {', '.join(self.mfi_scores.columns)}; "
            f"{int(self.mfi_scores.notna().any(axis=1).sum())} get a score under at least one."
        ]
        ref = st.reference or "bundled"
        ref_text = {"bundled": "the bundled MIX Market panel of African MFIs",
                    "self": "the scored MFIs themselves"}.get(ref, f"the table {Path(ref).name}")
        y = study_year(st, self.data)
        ref_rows = None
        if ref == "self":
            ref_rows = self.data.mfis
        elif ref == "bundled":
            ref_rows = load_reference()
        if ref_rows is not None and "year" in ref_rows:
            n_ref = int((pd.to_numeric(ref_rows["year"]) == y).sum())
            ref_text += f" ({n_ref} MFIs of fiscal year {y})"
        else:
            ref_text += f" (its rows of fiscal year {y})"
        parts.append(f"Normalisation and rating cut-offs are calibrated on {ref_text}: each "
                     "year is scored against the universe's rows of the same year "
                     "(study key 'study.reference').")
        scr = self.data.screening
        if scr is not None:
            n_changed = int((scr.exclusions["action"] == "set missing").sum())
            parts.append(
                f"The MFI file was screened (study key 'data.screening'): {scr.rows_in:,} rows "
                f"in, {scr.rows_out:,} kept, {n_changed:,} values set missing; see the section "
                "'Data screening'."
            )
        if "dea" in self.mfi_scores.columns:
            dea_info = getattr(self.mfi_results.get("dea"), "info", {}) or {}
            parts.append(f"The 'dea' scheme is {str(dea_info.get('rts', '')).upper()}, "
                         f"{dea_info.get('orientation', '')}-oriented.")
        if self.miv is not None:
            parts.append(
                f"{len(self.miv.index)} MIVs scored from the '{st.mfi_schemes_for_miv()}' MFI "
                "scores and their own indicators."
            )
        if self.dea is not None:
            parts.append(f"DEA model fitted on {len(self.dea_data)} MFIs.")
        return " ".join(parts)

    def summary(self) -> str:
        """Plain-text summary (printed by the CLI)."""
        lines = [self.study.name, "=" * len(self.study.name), self.describe(), ""]
        if self.data.screening is not None:
            lines += [self.data.screening.summary(), ""]
        if self.skipped:
            lines += ["Not run:", *(f"  {note}" for note in self.skipped), ""]
        desc = self.mfi_scores.describe().T[["count", "mean", "min", "50%", "max"]]
        lines.append("MFI scores by scheme:")
        lines.append(desc.to_string(float_format=lambda v: f"{v:.3f}"))
        if self.comparison is not None:
            lines += ["", "Spearman rank correlation between schemes:",
                      self.comparison.spearman.to_string(float_format=lambda v: f"{v:.2f}")]
        if self.miv is not None:
            lines += ["", "MIV index:", self.miv.details[["index", "portfolio", "block",
                                                          "coverage"]]
                      .sort_values("index", ascending=False)
                      .to_string(float_format=lambda v: f"{v:.3f}")]
        if self.sensitivity is not None:
            lines += ["", self.sensitivity.describe()]
            if self.sensitivity.miv is not None:
                lines += ["", self.sensitivity.miv.describe()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"StudyResult({self.describe()})"


def dea_table(result: Any, cross: Any = None) -> pd.DataFrame:
    """One row per unit: DEA score, status, slacks and peers of a :mod:`dea` result.

    Parameters
    ----------
    result : dea result
        Anything with ``scores`` (Series by unit); ``status``, ``slacks`` (DataFrame by unit
        and column) and ``peers`` (per unit: a list of peer labels, or a units x peers
        DataFrame of lambdas) are used when present.  This covers :class:`dea.Radial`,
        :class:`dea.SBM` (score rho or super-SBM delta), :class:`dea.Additive` (score =
        slack sum) and :class:`dea.DDF` (score = beta) results alike.
    cross : dea.CrossEfficiencyResult, optional
        Adds ``mean_cross_efficiency`` (with self-appraisal), ``mean_peer_appraisal``
        (without) and ``maverick`` for the same units.

    Returns
    -------
    pandas.DataFrame
        Columns ``score``, ``status``, ``slack_<column>`` for each input and output, and
        ``peers`` (peer labels joined by ``"; "``), indexed by unit label; then the
        cross-efficiency columns when ``cross`` is given.
    """
    scores = result.scores
    out = pd.DataFrame({"score": pd.to_numeric(scores, errors="coerce")}, index=scores.index)
    status = getattr(result, "status", None)
    if isinstance(status, pd.Series):
        out["status"] = status.reindex(out.index).astype(str)
    slacks = getattr(result, "slacks", None)
    if isinstance(slacks, pd.DataFrame):
        if isinstance(slacks.columns, pd.MultiIndex):
            names = ["slack_" + "_".join(map(str, c)) for c in slacks.columns]
        else:
            names = [c if str(c).startswith("slack") else f"slack_{c}" for c in slacks.columns]
        sl = slacks.copy()
        sl.columns = names
        out = out.join(sl.reindex(out.index))
    peers = getattr(result, "peers", None)
    if peers is not None:
        out["peers"] = _peer_strings(peers, out.index)
    if cross is not None:
        out["mean_cross_efficiency"] = cross.mean.reindex(out.index)
        out["mean_peer_appraisal"] = cross.mean_peer.reindex(out.index)
        out["maverick"] = cross.maverick.reindex(out.index)
    return out


def _peer_strings(peers: Any, index: pd.Index) -> pd.Series:
    if isinstance(peers, pd.DataFrame):  # units x reference units, lambdas
        numeric = peers.apply(pd.to_numeric, errors="coerce")
        if numeric.notna().all().all():
            rows = {
                u: "; ".join(str(c) for c in numeric.columns if numeric.at[u, c] > 1e-9)
                for u in numeric.index
            }
            return pd.Series(rows).reindex(index)
        return peers.astype(str).agg("; ".join, axis=1).reindex(index)
    if isinstance(peers, pd.Series):
        return peers.map(
            lambda v: "; ".join(map(str, v)) if isinstance(v, list | tuple | set | pd.Index)
            else ("" if v is None else str(v))
        ).reindex(index)
    if isinstance(peers, Mapping):
        return pd.Series({k: "; ".join(map(str, v)) for k, v in peers.items()}).reindex(index)
    return pd.Series([str(peers)] * len(index), index=index)
