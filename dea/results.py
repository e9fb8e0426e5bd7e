"""Result objects of DEA models: scores, lambdas, peers, slacks, targets, weights, status.

A :class:`DEAResult` is immutable.  Numbers are held as arrays in *user units* and turned
into pandas objects indexed by the user's unit labels (and column names) on access.  The
intensity weights ``lambda`` are held as a ``scipy.sparse`` CSR matrix (units x reference
units), so memory is ``O(n (m + s))`` rather than ``O(n^2)`` for large data.

Conventions
-----------
* ``scores`` are in (0, 1] for every orientation (input: theta; output: 1/phi, the
  Shephard output distance; graph: the hyperbolic G), larger than 1 only with
  super-efficiency or a reference set that excludes the unit.  A score within
  :data:`EFFICIENCY_TOL` (1e-9, absolute) of 1 is reported as exactly 1.0.
* A unit whose LP is not optimal (status ``"infeasible"``, ``"unbounded"``, ...) keeps its
  row everywhere, with NaN numbers and its status in ``status``.
"""

from __future__ import annotations

import html
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["EFFICIENCY_TOL", "LAMBDA_TOL", "SLACK_TOL", "DEAResult"]

#: Scores with ``abs(score - 1) <= EFFICIENCY_TOL`` are reported as exactly 1.
EFFICIENCY_TOL = 1e-9
#: Reference units with ``lambda > LAMBDA_TOL`` are peers.
LAMBDA_TOL = 1e-9
#: Slacks below ``SLACK_TOL`` times the column scale (column mean) count as zero.
SLACK_TOL = 1e-8


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _quantile_table(scores: np.ndarray) -> pd.DataFrame:
    """Score quantiles (min, quartiles, max) of the finite scores, as a one-column table."""
    ok = np.isfinite(scores)
    q = [0.0, 0.25, 0.5, 0.75, 1.0]
    vals = np.quantile(scores[ok], q) if ok.any() else np.full(len(q), np.nan)
    return pd.DataFrame({"score": vals}, index=pd.Index(["min", "25%", "median", "75%", "max"]))


class _SummaryDisplay:
    """``__repr__`` and ``_repr_html_`` drawn from one ``summary()`` dict.

    ``summary()`` returns ``title`` (str), ``rows`` (list of (name, value) pairs) and
    ``table`` (a DataFrame); floats are shown with 6 significant digits.
    """

    def summary(self) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def __repr__(self) -> str:
        s = self.summary()
        width = max(len(k) for k, _ in s["rows"])
        lines = [s["title"], "=" * len(s["title"])]
        lines += [f"{k:<{width}}  {_fmt(v)}" for k, v in s["rows"]]
        lines += ["", s["table"].to_string(float_format=lambda x: f"{x:.6g}")]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        s = self.summary()
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
            f"<td style='text-align:left'>{html.escape(_fmt(v))}</td></tr>"
            for k, v in s["rows"]
        )
        table = s["table"].to_html(float_format=lambda x: f"{x:.6g}", border=0)
        return f"<div><strong>{html.escape(s['title'])}</strong><table>{cells}</table>{table}</div>"


@dataclass(frozen=True, eq=False, repr=False)
class DEAResult(_SummaryDisplay):
    """The outcome of a fitted DEA model.

    Attributes
    ----------
    scores : pandas.Series
        Efficiency scores indexed by unit label (see module docstring for the convention).
    objective : pandas.Series
        The raw phase-1 LP optimum: theta (input), phi (output), G (graph), or the FDH
        equivalents.
    phi : pandas.Series or None
        Output orientation only: the Farrell output expansion factor ``phi >= 1``
        (``scores == 1 / phi``).
    status : pandas.Series
        Per-unit status string: ``"optimal"`` or the LP status (``"infeasible"``, ...).
    lambdas : pandas.DataFrame
        Intensity weights, units x reference units, pandas sparse dtype.
    lambda_matrix : scipy.sparse.csr_matrix
        The same as a scipy sparse matrix.
    peers : pandas.Series
        Lists of reference unit labels with ``lambda > LAMBDA_TOL``.
    slacks : pandas.DataFrame or None
        Input slacks ``s-`` and output slacks ``s+`` in user units, one column per input
        and output (from phase 2 if run, else phase-1 slacks).
    targets : pandas.DataFrame or None
        Projected inputs and outputs in user units.
    weights : pandas.DataFrame or None
        Multiplier-form weights ``v`` (inputs) and ``u`` (outputs) in user units.
    free : pandas.Series or None
        Free (returns-to-scale) term of the multiplier form; 0 under CRS.
    virtual_weights : pandas.DataFrame or None
        Weight times the unit's own value, per input/output.
    efficient : pandas.Series
        ``scores == 1`` (radial / weak efficiency).
    pareto_efficient : pandas.Series or None
        ``scores == 1`` and all slacks below ``SLACK_TOL`` (1e-8) times the column scale
        (the column mean); None without phase 2.
    info : dict
        Model description (model, rts, orientation, solver, ...).
    restriction_duals : pandas.DataFrame or None
        Models with weight restrictions: per unit (rows) and restriction (columns, named
        as ``"x1/x2 <= 4"``, ``"y1 >= 0.1"``), the dual value of the restriction, i.e. the
        rate at which the LP optimum would change per unit relaxation of the restriction
        written in user weights (``w_a - U w_b <= 0``, ``L w_b - w_a <= 0``,
        ``w_j <= U``, ``-w_j <= -L``); >= 0, and > 0 only where it binds.  NaN when the
        unit's LP is not optimal.
    restriction_binding : pandas.DataFrame or None
        The same shape: True where the restriction holds with equality at the unit's
        multiplier weights (nullable boolean, NA when not optimal).

    Notes
    -----
    Reading ``scores``, ``slacks``, ``targets``, ``weights`` or ``peers`` never builds
    a dense ``n x n`` array: the pandas objects wrap the stored ``(n, m + s)`` arrays,
    and ``peers`` walks the sparse rows of ``lambda_matrix``.  ``lambdas`` is a pandas
    sparse DataFrame with one column per reference unit; for very many reference units
    prefer ``lambda_matrix`` (``benchmarks/bench_dea.py --memory`` measures this).

    Examples
    --------
    >>> import pandas as pd, dea
    >>> df = pd.DataFrame({"x1": [2.0, 4.0, 4.0], "x2": [4.0, 2.0, 4.0], "y": [1.0, 1.0, 1.0]},
    ...                   index=["A", "B", "C"])
    >>> res = dea.Radial(df, inputs=["x1", "x2"], outputs=["y"], rts="crs").fit()
    >>> res.scores.round(4).tolist()
    [1.0, 1.0, 0.75]
    >>> res.peers["C"]
    ['A', 'B']
    >>> res.lambda_matrix.nnz <= 4
    True
    >>> res.targets.loc["C"].round(4).tolist()
    [3.0, 3.0, 1.0]
    """

    labels: pd.Index
    reference_labels: pd.Index
    inputs: tuple[Hashable, ...]
    outputs: tuple[Hashable, ...]
    score_values: np.ndarray
    objective_values: np.ndarray
    status_values: np.ndarray
    lambda_matrix: sp.csr_matrix
    slack_values: np.ndarray | None = None
    target_values: np.ndarray | None = None
    weight_values: np.ndarray | None = None
    free_values: np.ndarray | None = None
    virtual_values: np.ndarray | None = None
    slack_tolerance: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)
    restriction_labels: tuple[str, ...] = ()
    restriction_dual_values: np.ndarray | None = None
    restriction_binding_values: np.ndarray | None = None
    _efficient_score: ClassVar[float] = 1.0  # the score of an efficient unit

    # -- pandas views -------------------------------------------------------------------
    @property
    def scores(self) -> pd.Series:
        """Efficiency scores (see the module docstring for the convention)."""
        return pd.Series(self.score_values, index=self.labels, name="score")

    @property
    def objective(self) -> pd.Series:
        """The raw phase-1 LP optimum per unit (theta, phi or G)."""
        return pd.Series(self.objective_values, index=self.labels, name="objective")

    @property
    def phi(self) -> pd.Series | None:
        """Output orientation: Farrell output efficiency ``phi = 1 / score >= 1``."""
        if self.info.get("orientation") != "output":
            return None
        with np.errstate(divide="ignore"):
            return pd.Series(1.0 / self.score_values, index=self.labels, name="phi")

    @property
    def status(self) -> pd.Series:
        """Per-unit LP status ("optimal", "infeasible", ...)."""
        return pd.Series(self.status_values, index=self.labels, name="status", dtype=object)

    @property
    def lambdas(self) -> pd.DataFrame:
        """Intensity weights as a sparse DataFrame (units x reference units)."""
        return pd.DataFrame.sparse.from_spmatrix(
            self.lambda_matrix, index=self.labels, columns=self.reference_labels
        )

    @property
    def peers(self) -> pd.Series:
        """Reference units with ``lambda > LAMBDA_TOL``, as lists of labels."""
        L = self.lambda_matrix
        ref = self.reference_labels
        out = []
        for i in range(L.shape[0]):
            lo, hi = L.indptr[i], L.indptr[i + 1]
            idx = L.indices[lo:hi][L.data[lo:hi] > LAMBDA_TOL]
            out.append(list(ref[np.sort(idx)]))
        return pd.Series(out, index=self.labels, name="peers", dtype=object)

    def _frame(self, values: np.ndarray | None, cols: list[Hashable]) -> pd.DataFrame | None:
        if values is None:
            return None
        return pd.DataFrame(values, index=self.labels, columns=pd.Index(cols))

    @property
    def slacks(self) -> pd.DataFrame | None:
        """Input slacks (s-) and output slacks (s+), user units."""
        return self._frame(self.slack_values, [*self.inputs, *self.outputs])

    @property
    def targets(self) -> pd.DataFrame | None:
        """Projected inputs and outputs, user units."""
        return self._frame(self.target_values, [*self.inputs, *self.outputs])

    @property
    def weights(self) -> pd.DataFrame | None:
        """Multiplier weights ``v`` (inputs) and ``u`` (outputs), user units."""
        return self._frame(self.weight_values, [*self.inputs, *self.outputs])

    @property
    def free(self) -> pd.Series | None:
        """The free (returns-to-scale) term of the multiplier form."""
        if self.free_values is None:
            return None
        return pd.Series(self.free_values, index=self.labels, name="free")

    @property
    def restriction_duals(self) -> pd.DataFrame | None:
        """Dual value of each weight restriction per unit (None without restrictions)."""
        if self.restriction_dual_values is None:
            return None
        return self._frame(self.restriction_dual_values, list(self.restriction_labels))

    @property
    def restriction_binding(self) -> pd.DataFrame | None:
        """Whether each weight restriction binds per unit (None without restrictions)."""
        if self.restriction_binding_values is None:
            return None
        vals = self.restriction_binding_values
        frame = pd.DataFrame(
            {
                lab: pd.array(
                    [pd.NA if np.isnan(v) else bool(v) for v in vals[:, p]], dtype="boolean"
                )
                for p, lab in enumerate(self.restriction_labels)
            },
            index=self.labels,
        )
        frame.columns = pd.Index(list(self.restriction_labels))
        return frame

    @property
    def virtual_weights(self) -> pd.DataFrame | None:
        """Weight times the unit's own input/output value."""
        return self._frame(self.virtual_values, [*self.inputs, *self.outputs])

    @property
    def efficient(self) -> pd.Series:
        """Radial (weak) efficiency: ``score == 1`` after the tolerance rule.

        For inefficiency scores (Additive, DDF: ``_efficient_score`` 0) ``score == 0``.
        """
        eff = self.score_values == self._efficient_score
        return pd.Series(eff, index=self.labels, name="efficient")

    @property
    def pareto_efficient(self) -> pd.Series | None:
        """``efficient`` and no slack above ``SLACK_TOL`` x column mean (needs phase 2)."""
        if self.slack_values is None or self.slack_tolerance is None:
            return None
        no_slack = (np.abs(self.slack_values) <= self.slack_tolerance).all(axis=1)
        return pd.Series(
            (self.score_values == self._efficient_score) & no_slack,
            index=self.labels,
            name="pareto_efficient",
        )

    # -- summary ------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Key facts as a dict; drives both ``__repr__`` and ``_repr_html_``.

        Returns
        -------
        dict
            ``title``, ``rows`` (list of (name, value) pairs) and ``table`` (a DataFrame
            of score quantiles).
        """
        sc = self.score_values
        ok = np.isfinite(sc)
        n_bad = int((self.status_values != "optimal").sum())
        title = f"{self.info.get('model', 'DEA')} result"
        rows: list[tuple[str, Any]] = []
        for key in ("rts", "orientation", "super_efficiency", "two_phase", "slack_sum", "solver"):
            if key in self.info:
                rows.append((key, self.info[key]))
        convention = {"input": "theta", "output": "1 / phi (phi: result.phi)", "graph": "G"}
        if self.info.get("orientation") in convention:
            rows.append(("score", convention[self.info["orientation"]]))
        rows += [
            ("units", len(self.labels)),
            ("reference units", len(self.reference_labels)),
            ("inputs", ", ".join(map(str, self.inputs))),
            ("outputs", ", ".join(map(str, self.outputs))),
            ("efficient (score = 1)", int((sc == 1.0).sum())),
            ("mean score", float(np.mean(sc[ok])) if ok.any() else float("nan")),
            ("not optimal", n_bad),
        ]
        if self.restriction_binding_values is not None:
            counts = np.nansum(self.restriction_binding_values, axis=0).astype(int)
            rows.append(
                (
                    "restrictions binding (units)",
                    ", ".join(
                        f"{lab}: {c}"
                        for lab, c in zip(self.restriction_labels, counts, strict=True)
                    ),
                )
            )
        return {"title": title, "rows": rows, "table": _quantile_table(sc)}

    def to_frame(self) -> pd.DataFrame:
        """Scores, status and (if present) slacks/targets in one wide DataFrame."""
        parts = [self.scores, self.status]
        if self.slack_values is not None:
            parts.append(self.slacks.add_prefix("slack_"))  # type: ignore[union-attr]
        if self.target_values is not None:
            parts.append(self.targets.add_prefix("target_"))  # type: ignore[union-attr]
        return pd.concat(parts, axis=1)
