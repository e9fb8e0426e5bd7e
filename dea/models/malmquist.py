"""Malmquist productivity index on a panel, with its efficiency / technical / scale parts.

Every distance is a :class:`dea.Radial` score: own-period scores with the period's units
as frontier, cross-period scores through Radial's reference-set evaluation
(``reference=<the other period's units>``), by default solved together by the proven
batched simplex of :mod:`dea.models._certify` (LPs through Radial for what it cannot
prove).  No LP loop of its own.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from dea.exceptions import FewUnitsWarning, InfeasibleUnitWarning, InputDataError, format_labels
from dea.models._base import ORIENTATIONS, RTS_CHOICES, check_choice, check_n_jobs
from dea.models._certify import RadialArrays, radial_factors
from dea.models.radial import Radial

__all__ = ["Malmquist"]

_DIST = ("e_ff", "e_tf", "e_ft", "e_tt")


def _pick(panel: pd.DataFrame, name: Hashable, what: str) -> np.ndarray:
    if name in panel.columns:
        return panel[name].to_numpy()
    if name in (panel.index.names or []):
        return panel.index.get_level_values(name).to_numpy()
    raise InputDataError(
        f"{what}={name!r} is neither a column nor an index level of the panel "
        f"(columns: {format_labels(panel.columns)})"
    )


class Malmquist:
    r"""Malmquist productivity index between periods of a panel (radial DEA distances).

    Parameters
    ----------
    panel : DataFrame
        Long panel: one row per unit and period.
    inputs, outputs : list of column names
        Input and output columns.
    unit, period : column or index-level name
        Unit identifier and period (sortable: years, dates, ordered labels).
    rts : {"crs", "vrs", "nirs", "ndrs"}, default "crs"
        Technology of the distances (CRS gives the FGNZ / Caves-Christensen-Diewert index).
    orientation : {"input", "output"}, default "input"
        Radial distances used.
    base : period label, optional
        None (default): consecutive periods ``(t, t+1)``.  A period ``b``: every other
        period ``t`` compared with ``b`` (pairs ``(b, t)``).
    scale : bool, default True
        With ``rts="crs"``, also solve the VRS distances and decompose efficiency change
        into pure efficiency and scale change (FGNZ 1994) and give the Ray-Desli (1997)
        decomposition.  Ignored for other ``rts``.
    solver, n_jobs, solver_options
        As for :class:`Radial`.
    method : {"batch", "lp"}, default "batch"
        ``"lp"``: every set of distances is one :class:`Radial` fit.  ``"batch"``: the
        LPs of a set solved together by the batched simplex of
        :mod:`dea.models._certify`, each answer proven optimal on the data (a feasible
        point and a dual bound over every frontier unit agreeing to 1e-9); units it
        cannot prove (e.g. cross-period VRS LPs with no single frontier unit covering
        the observation, or infeasible ones) go to that same :class:`Radial` fit.  Same
        distances, statuses included.

    Raises
    ------
    InputDataError
        Missing columns, a (unit, period) pair given twice (named), a missing or negative
        value (column, unit and period named), fewer than two periods, an unknown ``base``.

    Notes
    -----
    Let :math:`s^a(c)` be the :class:`Radial` score (input: theta; output: 1/phi, so both
    are Farrell-type, <= 1 against the own frontier) of the unit's period-``c``
    observation against the frontier of all units observed in period ``a``.  For a pair
    ``(f, t)`` ("from", "to"), e.g. input orientation
    :math:`s^a(c) = \min\{\theta: X^a\lambda \le \theta x^c_k, Y^a\lambda \ge y^c_k,
    \lambda \in \Lambda\}`, columns ``e_ff``, ``e_tf``, ``e_ft``, ``e_tt`` hold
    :math:`s^f(f), s^t(f), s^f(t), s^t(t)` and (values above 1 = improvement, both
    orientations)::

        malmquist = sqrt( s^f(t) / s^f(f) * s^t(t) / s^t(f) )
        effch     = s^t(t) / s^f(f)
        techch    = sqrt( s^f(t) / s^t(t) * s^f(f) / s^t(f) )       (malmquist = effch * techch)

    With ``rts="crs"`` and ``scale=True`` the VRS scores :math:`v^a(c)` give
    (Färe, Grosskopf, Norris & Zhang 1994, as DEAP)::

        pech = v^t(t) / v^f(f),   sech = effch / pech             (effch = pech * sech)

    and (Ray & Desli 1997)::

        techch_vrs = sqrt( v^f(t) / v^t(t) * v^f(f) / v^t(f) )
        sech_rd    = sqrt( SE^f(t) / SE^f(f) * SE^t(t) / SE^t(f) ),  SE^a(c) = s^a(c) / v^a(c)

    so that ``malmquist = pech * techch_vrs * sech_rd``.  Cross-period VRS LPs can be
    infeasible (the observation lies outside the other period's output or input range):
    those rows get NaN and the status (``status`` column, e.g. ``"infeasible: vrs t(f)"``
    for ``rts="vrs"``; ``status_vrs`` for the VRS part of a CRS decomposition, whose CRS
    index stays valid).  A unit observed in only one period of a pair gets
    ``status = "missing in <period>"`` and NaN; frontiers always use every unit
    observed in the period (unbalanced panels are fine).

    References
    ----------
    Caves, D. W., Christensen, L. R., & Diewert, W. E. (1982). The economic theory of
    index numbers and the measurement of input, output, and productivity.
    *Econometrica*, 50(6), 1393-1414.

    Färe, R., Grosskopf, S., Norris, M., & Zhang, Z. (1994). Productivity growth,
    technical progress, and efficiency change in industrialized countries. *American
    Economic Review*, 84(1), 66-83.

    Ray, S. C., & Desli, E. (1997). Productivity growth, technical progress, and
    efficiency change in industrialized countries: comment. *American Economic Review*,
    87(5), 1033-1039.

    Coelli, T. J., Rao, D. S. P., O'Donnell, C. J., & Battese, G. E. (2005). *An
    Introduction to Efficiency and Productivity Analysis* (2nd ed.), ch. 11. Springer.

    Examples
    --------
    >>> import pandas as pd, dea
    >>> panel = pd.DataFrame({"firm": list("ABAB"), "year": [1, 1, 2, 2],
    ...                       "x": [2.0, 4.0, 2.0, 4.0], "y": [1.0, 4.0, 2.0, 4.0]})
    >>> res = dea.Malmquist(panel, ["x"], ["y"], unit="firm", period="year").fit()
    >>> res["malmquist"].round(4).tolist()
    [2.0, 1.0]
    """

    def __init__(
        self,
        panel: pd.DataFrame,
        inputs: Sequence[Hashable],
        outputs: Sequence[Hashable],
        *,
        unit: Hashable,
        period: Hashable,
        rts: str = "crs",
        orientation: str = "input",
        base: Any = None,
        scale: bool = True,
        solver: str = "highs",
        n_jobs: int = 1,
        solver_options: dict[str, Any] | None = None,
        method: str = "batch",
    ) -> None:
        if not isinstance(panel, pd.DataFrame):
            raise InputDataError(f"panel must be a pandas DataFrame, got {type(panel).__name__}")
        self.rts = check_choice("rts", rts, RTS_CHOICES)
        self.orientation = check_choice("orientation", orientation, ORIENTATIONS)
        self.scale = bool(scale)
        self.method = check_choice("method", method, ("batch", "lp"))
        self.solver = solver
        self.n_jobs = check_n_jobs(n_jobs)
        self.solver_options = dict(solver_options or {})
        self.inputs = [inputs] if isinstance(inputs, str) else list(inputs)
        self.outputs = [outputs] if isinstance(outputs, str) else list(outputs)
        self.unit, self.period = unit, period
        cols = [*self.inputs, *self.outputs]
        missing = [c for c in cols if c not in panel.columns]
        if missing:
            raise InputDataError(
                f"column(s) {format_labels(missing)} are not in the panel "
                f"(columns: {format_labels(panel.columns)})"
            )
        units = _pick(panel, unit, "unit")
        periods = _pick(panel, period, "period")
        if pd.isna(units).any() or pd.isna(periods).any():
            raise InputDataError(f"the {unit!r} or {period!r} column has missing values")
        values = panel[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        key = pd.MultiIndex.from_arrays([units, periods], names=["unit", "period"])
        dup = key.duplicated()
        if dup.any():
            raise InputDataError(
                f"(unit, period) given more than once: {format_labels(list(key[dup]))}; "
                "give one row per unit and period"
            )
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            u_i, p_i = (
                v.item() if isinstance(v, np.generic) else v for v in (units[i], periods[i])
            )
            raise InputDataError(
                f"column {cols[j]!r} has a missing, non-numeric or negative value for unit "
                f"{u_i!r} in period {p_i!r} ({int(bad.any(axis=1).sum())} row(s) "
                "in all); drop or fill those rows"
            )
        self._frame = pd.DataFrame(values, index=key, columns=cols)
        self.periods = sorted(pd.unique(periods).tolist())
        if len(self.periods) < 2:
            raise InputDataError("the panel has fewer than two periods; nothing to compare")
        if base is not None and base not in self.periods:
            raise InputDataError(
                f"base={base!r} is not a period of the panel ({format_labels(self.periods)})"
            )
        self.base = base

    def pairs(self) -> list[tuple[Any, Any]]:
        """The (from, to) period pairs compared."""
        if self.base is None:
            return list(zip(self.periods[:-1], self.periods[1:], strict=True))
        return [(self.base, p) for p in self.periods if p != self.base]

    def _period(self, p: Any) -> pd.DataFrame:
        return self._frame.xs(p, level="period")

    def _fit(self, obs: pd.DataFrame, ref: pd.DataFrame | None, rts: str) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InfeasibleUnitWarning)
            warnings.simplefilter("ignore", FewUnitsWarning)
            return Radial(
                obs,
                self.inputs,
                self.outputs,
                rts=rts,
                orientation=self.orientation,
                reference=ref,
                two_phase=False,
                solver=self.solver,
                n_jobs=self.n_jobs,
                solver_options=self.solver_options,
            ).fit()

    def _scores(
        self, obs: pd.DataFrame, ref: pd.DataFrame | None, rts: str
    ) -> tuple[pd.Series, pd.Series]:
        """Radial scores of ``obs`` against ``ref`` (None: against ``obs`` itself)."""
        if obs.empty:
            empty = pd.Series(dtype=float)
            return empty, pd.Series(dtype=object)
        if self.method == "lp":
            res = self._fit(obs, ref, rts)
            return res.scores, res.status
        frontier = obs if ref is None else ref
        m = len(self.inputs)
        o = obs[[*self.inputs, *self.outputs]].to_numpy(dtype=float)
        r = frontier[[*self.inputs, *self.outputs]].to_numpy(dtype=float)
        scale = np.vstack([o, r]).mean(axis=0)
        scale[~(scale > 0)] = 1.0
        o, r = o / scale, r / scale
        arrays = RadialArrays(o[:, :m], o[:, m:], r[:, :m], r[:, m:], rts, self.orientation)
        status = pd.Series("optimal", index=obs.index, dtype=object)

        def lps(units: np.ndarray) -> np.ndarray:
            try:
                res = self._fit(obs.iloc[units], frontier, rts)
                st, sc = res.status.to_numpy(), res.scores.to_numpy(dtype=float)
            except InputDataError:  # e.g. a column zero for every unit of the subset
                res = self._fit(obs, frontier, rts)
                st, sc = res.status.to_numpy()[units], res.scores.to_numpy(dtype=float)[units]
            status.iloc[units] = st
            return sc if self.orientation == "input" else 1.0 / sc

        value, _ = radial_factors(arrays, None, lps)
        score = value if self.orientation == "input" else 1.0 / value
        return pd.Series(score, index=obs.index, name="score"), status

    def fit(self) -> pd.DataFrame:
        """Compute the indices for every pair of periods.

        Returns
        -------
        DataFrame
            Indexed by (unit, period) with ``period`` the later ("to") period of the pair;
            columns ``from``, ``malmquist``, ``effch``, ``techch``, (with CRS and
            ``scale``) ``pech``, ``sech``, ``techch_vrs``, ``sech_rd``, the distances
            ``e_ff``, ``e_tf``, ``e_ft``, ``e_tt`` (and ``v_*`` for VRS), and ``status``
            (``"optimal"``, ``"missing in <period>"`` or the failed LP).
        """
        techs = [self.rts]
        if self.rts == "crs" and self.scale:
            techs.append("vrs")
        own: dict[tuple[Any, str], tuple[pd.Series, pd.Series]] = {}
        rows = []
        for f, t in self.pairs():
            Pf, Pt = self._period(f), self._period(t)
            every = Pf.index.union(Pt.index, sort=False)
            common = Pf.index.intersection(Pt.index, sort=False)
            table = pd.DataFrame(index=every)
            table["from"] = f
            status = pd.Series("optimal", index=every, dtype=object)
            status[~every.isin(Pf.index)] = f"missing in {f}"
            status[~every.isin(Pt.index)] = f"missing in {t}"
            statuses = {"e": status, "v": status.copy()}
            for rts in techs:
                pre = "e" if rts == self.rts else "v"
                status = statuses[pre]
                for p, P in ((f, Pf), (t, Pt)):
                    if (p, rts) not in own:
                        own[(p, rts)] = self._scores(P, None, rts)
                s_ff, st_ff = own[(f, rts)]
                s_tt, st_tt = own[(t, rts)]
                s_tf, st_tf = self._scores(Pf.loc[common], Pt, rts)  # f obs, t frontier
                s_ft, st_ft = self._scores(Pt.loc[common], Pf, rts)  # t obs, f frontier
                parts = {"ff": (s_ff, st_ff), "tf": (s_tf, st_tf), "ft": (s_ft, st_ft)}
                parts["tt"] = (s_tt, st_tt)
                for name, (sc, st) in parts.items():
                    table[f"{pre}_{name}"] = sc.reindex(common).reindex(every)
                    st = st.reindex(common)
                    fail = st[(st != "optimal") & st.notna()]
                    for lab, s in fail.items():
                        if status[lab] == "optimal":
                            status[lab] = f"{s}: {rts} {name[0]}({name[1]})"
            e = table
            with np.errstate(divide="ignore", invalid="ignore"):
                e["malmquist"] = np.sqrt(e.e_ft / e.e_ff * e.e_tt / e.e_tf)
                e["effch"] = e.e_tt / e.e_ff
                e["techch"] = np.sqrt(e.e_ft / e.e_tt * e.e_ff / e.e_tf)
                if "vrs" in techs and self.rts == "crs":
                    e["pech"] = e.v_tt / e.v_ff
                    e["sech"] = e.effch / e.pech
                    e["techch_vrs"] = np.sqrt(e.v_ft / e.v_tt * e.v_ff / e.v_tf)
                    se = {k: e[f"e_{k}"] / e[f"v_{k}"] for k in ("ff", "tf", "ft", "tt")}
                    e["sech_rd"] = np.sqrt(se["ft"] / se["ff"] * se["tt"] / se["tf"])
            e["status"] = statuses["e"]
            if "vrs" in techs and self.rts == "crs":
                e["status_vrs"] = statuses["v"]
            e.index = pd.MultiIndex.from_arrays([every, [t] * len(every)], names=["unit", "period"])
            rows.append(e)
        out = pd.concat(rows)
        lead = ["from", "malmquist", "effch", "techch"]
        if "pech" in out.columns:
            lead += ["pech", "sech", "techch_vrs", "sech_rd"]
        dist = [c for c in out.columns if c[:2] in ("e_", "v_")]
        tail = ["status", "status_vrs"] if "status_vrs" in out.columns else ["status"]
        out = out[[*lead, *dist, *tail]]
        for col in tail:
            st = out[col]
            nbad = int((st != "optimal").sum() - st.str.startswith("missing").sum())
            if nbad:
                what = "the scale decomposition (VRS)" if col == "status_vrs" else "the index"
                warnings.warn(
                    f"{nbad} unit-pair(s) have a cross-period LP without optimal solution; "
                    f"{what} is NaN for them (see the {col} column)",
                    InfeasibleUnitWarning,
                    stacklevel=2,
                )
        return out
