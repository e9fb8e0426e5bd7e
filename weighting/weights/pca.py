"""Weights from principal components / factor analysis (OECD/JRC Handbook 2008, Step 6.1)."""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from dea.exceptions import InputDataError, format_labels
from weighting.weights.base import Weighter, _check_frame, _finalise

__all__ = ["NegativeLoadingWarning", "PCAWeights", "bartlett_sphericity", "kmo", "varimax"]


class NegativeLoadingWarning(UserWarning):
    """Some indicators load negatively on the first component (their weight may mislead)."""


def varimax(
    loadings: np.ndarray,
    *,
    normalize: bool = True,
    tol: float = 1e-12,
    max_iter: int = 10000,
) -> tuple[np.ndarray, np.ndarray]:
    """Orthogonal varimax rotation of a loading matrix (Kaiser 1958).

    Parameters
    ----------
    loadings : np.ndarray
        p x k loading matrix (indicators x factors).
    normalize : bool, default True
        Kaiser normalisation: rows are scaled to unit length (communality) before rotation
        and scaled back after ("varimax normalized", the default of R's ``varimax`` and of
        STATISTICA/SPSS).
    tol : float, default 1e-12
        Stop when no entry of the rotation matrix changes by more than ``tol`` (the
        criterion itself can be so flat that a gain-based rule stops early).
    max_iter : int, default 10000

    Returns
    -------
    rotated : np.ndarray
        p x k rotated loadings, ``loadings @ rotation``.
    rotation : np.ndarray
        k x k orthogonal rotation matrix.

    Notes
    -----
    Maximises :math:`\\sum_f \\left[ \\frac{1}{p}\\sum_j \\lambda_{jf}^4 -
    \\left(\\frac{1}{p}\\sum_j \\lambda_{jf}^2\\right)^2 \\right]` over orthogonal rotations,
    by the usual SVD iteration: with :math:`B = A T`, the update is :math:`T = U V^T`
    where :math:`U S V^T` is the SVD of
    :math:`A^T (B^{\\circ 3} - B\\,\\mathrm{diag}(\\mathbf 1^T B^{\\circ 2})/p)`.

    References
    ----------
    Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
    Psychometrika 23, 187-200.
    """
    a = np.asarray(loadings, dtype=float)
    p, k = a.shape
    if k < 2:
        return a.copy(), np.eye(k)
    scale = np.sqrt((a**2).sum(axis=1)) if normalize else np.ones(p)
    scale = np.where(scale > 0, scale, 1.0)
    a = a / scale[:, None]
    rot = np.eye(k)
    for _ in range(k * k + 1):  # each escape strictly raises the criterion
        for _ in range(max_iter):
            b = a @ rot
            grad = a.T @ (b**3 - b @ np.diag((b**2).sum(axis=0)) / p)
            u, _s, vt = np.linalg.svd(grad)
            new = u @ vt
            done = np.abs(new - rot).max() < tol
            rot = new
            if done:
                break
        # The SVD map also stops at stationary points that are not maxima (with two
        # indicators and two factors the unrotated loadings are the *minimum*, and one
        # ulp decides whether the map stays there or cycles near it). Kaiser's planar
        # rotation gives each pair of factors its best angle in closed form: a non-zero
        # angle means "not a maximum"; rotate by it and iterate again.
        escaped = False
        b = a @ rot
        for i in range(k - 1):
            for j in range(i + 1, k):
                theta = _planar_varimax_angle(b[:, i], b[:, j], p)
                if abs(theta) > _ESCAPE_ANGLE:
                    c, s = np.cos(theta), np.sin(theta)
                    plane = np.eye(k)
                    plane[[i, i, j, j], [i, j, i, j]] = [c, -s, s, c]
                    rot = rot @ plane
                    b = a @ rot
                    escaped = True
        if not escaped:
            break
    return (a @ rot) * scale[:, None], rot


#: planar angles below this (radians) count as converged: at a maximum the SVD map's end
#: point is within ~1e-8 of it (the criterion is flat there)
_ESCAPE_ANGLE = 1e-6


def _planar_varimax_angle(x: np.ndarray, y: np.ndarray, p: int) -> float:
    """Kaiser's (1958) optimal rotation angle of the factor pair ``(x, y)``.

    With :math:`u = x^2 - y^2`, :math:`v = 2xy`, :math:`A = \\sum u`, :math:`B = \\sum v`,
    :math:`C = \\sum (u^2 - v^2)` and :math:`D = 2 \\sum uv`, the varimax criterion of the
    pair rotated by :math:`\\theta` (columns ``x cos + y sin``, ``-x sin + y cos``) is
    largest at :math:`4\\theta = \\operatorname{atan2}(D - 2AB/p, C - (A^2 - B^2)/p)`.
    """
    u, v = x**2 - y**2, 2.0 * x * y
    A, B = u.sum(), v.sum()
    C, D = (u**2 - v**2).sum(), 2.0 * (u * v).sum()
    return float(np.arctan2(D - 2.0 * A * B / p, C - (A**2 - B**2) / p) / 4.0)


def kmo(corr: np.ndarray) -> tuple[float, np.ndarray]:
    """Kaiser-Meyer-Olkin measure of sampling adequacy.

    Parameters
    ----------
    corr : np.ndarray
        Non-singular correlation matrix.

    Returns
    -------
    overall : float
    per_indicator : np.ndarray

    Notes
    -----
    With partial correlations :math:`q_{ij} = -R^{-1}_{ij}/\\sqrt{R^{-1}_{ii}R^{-1}_{jj}}`,
    :math:`KMO = \\sum_{i\\ne j} r_{ij}^2 / (\\sum_{i\\ne j} r_{ij}^2 + \\sum_{i\\ne j} q_{ij}^2)`;
    the per-indicator value restricts the sums to row i.

    References
    ----------
    Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika 39, 31-36.
    """
    r = np.asarray(corr, dtype=float)
    inv = np.linalg.inv(r)
    d = np.sqrt(np.diag(inv))
    q = -inv / np.outer(d, d)
    off = ~np.eye(r.shape[0], dtype=bool)
    r2 = np.where(off, r**2, 0.0)
    q2 = np.where(off, q**2, 0.0)
    per = r2.sum(axis=1) / (r2.sum(axis=1) + q2.sum(axis=1))
    overall = r2.sum() / (r2.sum() + q2.sum())
    return float(overall), per


def bartlett_sphericity(corr: np.ndarray, n: int) -> dict[str, float]:
    """Bartlett's test that the correlation matrix is the identity.

    Parameters
    ----------
    corr : np.ndarray
        p x p correlation matrix.
    n : int
        Number of units.

    Returns
    -------
    dict
        ``chi2`` = -(n - 1 - (2p + 5)/6) ln|R|, ``dof`` = p(p - 1)/2 and ``p_value``.

    References
    ----------
    Bartlett, M. S. (1950). Tests of significance in factor analysis. British Journal of
    Psychology 3, 77-85.
    """
    r = np.asarray(corr, dtype=float)
    p = r.shape[0]
    _sign, logdet = np.linalg.slogdet(r)
    chi2 = -(n - 1 - (2 * p + 5) / 6.0) * logdet
    dof = p * (p - 1) / 2.0
    return {"chi2": float(chi2), "dof": float(dof), "p_value": float(stats.chi2.sf(chi2, dof))}


class PCAWeights(Weighter):
    """Weights from principal components, by the OECD/JRC factor-analysis procedure.

    Parameters
    ----------
    method : {"oecd", "first_component"}, default "oecd"
        ``"oecd"``: the Handbook's Step 6 procedure (Notes). ``"first_component"``: weights
        from the loadings of the first principal component only.
    eigen_min : float, default 1.0
        Retain factors with eigenvalue above this (Kaiser criterion) ...
    min_share : float, default 0.10
        ... that each explain more than this share of the total variance ...
    cum_share : float, default 0.60
        ... and add further factors, if needed, until together they explain more than this.
    n_factors : int, optional
        Retain exactly this many factors, overriding the three rules (still reported).
    rotation : {"varimax", None}, default "varimax"
        Rotation of the retained loadings (own implementation of :func:`varimax`, with
        Kaiser normalisation, checked against factor_analyzer's ``Rotator``).
    assignment : {"max_loading", "max_weight"}, default "max_loading"
        Which factor an indicator is assigned to: the one where its scaled squared loading
        is largest (the Handbook's text, after Nicoletti et al. 2000), or the one where that
        value times the factor's variance share is largest (what reproduces the Handbook's
        printed Table 18; the two differ for "Tech exports" in the TAI example).
    first_component_weights : {"squared", "absolute"}, default "squared"
        For ``method="first_component"``: weights proportional to the squared loadings
        (the share of the component's variance each indicator carries) or to their absolute
        values.
    kaiser_normalize : bool, default True
        Kaiser row normalisation inside varimax.

    Attributes
    ----------
    weights_ : pd.Series
    eigenvalues_ : pd.Series
        Eigenvalues of the correlation matrix, descending.
    explained_variance_ratio_ : pd.Series
        Eigenvalues / number of indicators.
    loadings_ : pd.DataFrame
        Unrotated loadings (eigenvector x sqrt(eigenvalue)) of the retained components
        (``method="oecd"``) or of the first component; each column's sign is fixed so its
        loadings sum to a positive number.
    rotated_loadings_ : pd.DataFrame or None
        Rotated loadings (same sign convention); ``None`` for ``first_component`` or no
        rotation.
    squared_loadings_ : pd.DataFrame or None
        Squared (rotated) loadings scaled to unit sum per factor.
    factor_variance_ : pd.Series or None
        Variance explained by each retained (rotated) factor ("Expl.Var").
    factor_share_ : pd.Series or None
        ``factor_variance_`` / its sum ("Expl./Tot").
    assigned_factor_ : pd.Series or None
        The factor each indicator was assigned to.
    n_factors_ : int
    retention_ : dict
        How many factors each rule would keep (``by_eigenvalue``, ``by_share``,
        ``for_cumulative``) and ``rule``, which one decided.
    kmo_ : dict
        ``{"overall": float, "per_indicator": pd.Series}`` (Kaiser-Meyer-Olkin).
    bartlett_ : dict
        Bartlett's sphericity test: ``chi2``, ``dof``, ``p_value``.
    correlation_ : pd.DataFrame

    Raises
    ------
    InputDataError
        See :meth:`fit`.

    Notes
    -----
    OECD procedure (Handbook 2008, Step 6.1, Tables 16-18):

    1. Correlation matrix :math:`R` of the indicators; eigenvalues
       :math:`\\mu_1 \\ge \\dots \\ge \\mu_p`, loadings
       :math:`\\lambda_{jf} = v_{jf}\\sqrt{\\mu_f}`.
    2. Retain the leading factors with :math:`\\mu_f > 1` that each explain more than 10 %
       of the variance, adding factors until together they explain more than 60 %.
    3. Varimax-rotate the retained loadings.
    4. Scale squared rotated loadings to unit sum per factor:
       :math:`s_{jf} = \\lambda_{jf}^2 / \\sum_i \\lambda_{if}^2`; factor share
       :math:`\\pi_f = \\sum_i \\lambda_{if}^2 / \\sum_{g}\\sum_i \\lambda_{ig}^2`.
    5. Assign indicator j to :math:`f^*(j) = \\arg\\max_f s_{jf}`; weight
       :math:`w_j \\propto s_{j f^*} \\pi_{f^*}`, normalised to sum 1 (Handbook note 25).

    First component: :math:`w_j \\propto \\lambda_{j1}^2` (``"squared"``) or
    :math:`|\\lambda_{j1}|` (``"absolute"``), with the sign of the component fixed so that
    :math:`\\sum_j \\lambda_{j1} > 0`.

    Requires n >= p + 1 units (otherwise the correlation matrix is singular), no missing
    values, no constant indicator and no exact linear dependence between indicators.

    References
    ----------
    OECD/JRC (2008). Handbook on Constructing Composite Indicators: Methodology and User
    Guide. OECD Publishing, Paris. Step 6.1 and Tables 16-18.
    Nicoletti, G., Scarpetta, S. & Boylaud, O. (2000). Summary indicators of product market
    regulation with an extension to employment protection legislation. OECD Economics
    Department Working Papers 226.
    """

    name = "pca"

    def __init__(
        self,
        method: Literal["oecd", "first_component"] = "oecd",
        eigen_min: float = 1.0,
        min_share: float = 0.10,
        cum_share: float = 0.60,
        n_factors: int | None = None,
        rotation: Literal["varimax"] | None = "varimax",
        assignment: Literal["max_loading", "max_weight"] = "max_loading",
        first_component_weights: Literal["squared", "absolute"] = "squared",
        kaiser_normalize: bool = True,
    ) -> None:
        self.method = method
        self.eigen_min = eigen_min
        self.min_share = min_share
        self.cum_share = cum_share
        self.n_factors = n_factors
        self.rotation = rotation
        self.assignment = assignment
        self.first_component_weights = first_component_weights
        self.kaiser_normalize = kaiser_normalize

    # ---------------------------------------------------------------------------------------
    def _check_params(self, p: int) -> None:
        if self.method not in ("oecd", "first_component"):
            raise InputDataError(
                f"method must be 'oecd' or 'first_component', got {self.method!r}"
            )
        if self.rotation not in ("varimax", None):
            raise InputDataError(f"rotation must be 'varimax' or None, got {self.rotation!r}")
        if self.assignment not in ("max_loading", "max_weight"):
            raise InputDataError(
                f"assignment must be 'max_loading' or 'max_weight', got {self.assignment!r}"
            )
        if self.first_component_weights not in ("squared", "absolute"):
            raise InputDataError(
                "first_component_weights must be 'squared' or 'absolute', got "
                f"{self.first_component_weights!r}"
            )
        if self.n_factors is not None and not (
            isinstance(self.n_factors, (int, np.integer)) and 1 <= self.n_factors <= p
        ):
            raise InputDataError(
                f"n_factors must be an integer between 1 and the number of indicators ({p}), "
                f"got {self.n_factors!r}"
            )

    def _retain(self, eig: np.ndarray) -> int:
        p = eig.size
        share = eig / p
        ok = (eig > self.eigen_min) & (share > self.min_share)
        # leading run of factors passing both per-factor rules
        n_lead = int(np.argmin(ok)) if not ok.all() else p
        n_eig = int((eig > self.eigen_min).sum())
        n_share = int((share > self.min_share).sum())
        cum = np.cumsum(share)
        n_cum = int(np.searchsorted(cum, self.cum_share, side="right") + 1)
        n_cum = min(n_cum, p)
        if self.n_factors is not None:
            k, rule = int(self.n_factors), "n_factors given"
        elif n_lead >= n_cum:
            k, rule = max(n_lead, 1), "eigenvalue and share rules"
        else:
            k, rule = n_cum, "cumulative share rule added factors"
        self.retention_ = {
            "by_eigenvalue": n_eig,
            "by_share": n_share,
            "for_cumulative": n_cum,
            "eigen_min": self.eigen_min,
            "min_share": self.min_share,
            "cum_share": self.cum_share,
            "rule": rule,
        }
        return k

    def fit(self, X: pd.DataFrame, y: object = None) -> PCAWeights:
        """Compute the correlation structure, factors and weights.

        Parameters
        ----------
        X : pd.DataFrame
            Normalised indicators, units x indicators, no missing values.
        y : ignored

        Returns
        -------
        PCAWeights
            ``self``.

        Raises
        ------
        InputDataError
            Bad parameters; missing values; fewer than two indicators; fewer units than
            indicators + 1; a constant indicator; linearly dependent indicators (singular
            correlation matrix, the message names the indicators involved).
        """
        X = _check_frame(X)
        n, p = X.shape
        self._check_params(p)
        if p < 2:
            raise InputDataError(
                f"PCA weights need at least 2 indicators, X has {p} ({format_labels(X.columns)})"
            )
        if n < p + 1:
            raise InputDataError(
                f"X has {n} units for {p} indicators; PCA/FA weights need at least "
                f"n >= p + 1 = {p + 1} units for a non-singular correlation matrix"
            )
        values = X.to_numpy()
        sd = values.std(axis=0, ddof=1)
        const = X.columns[sd <= 1e-12 * np.maximum(1.0, np.abs(values).max(axis=0))]
        if len(const):
            raise InputDataError(
                f"indicators {format_labels(const)} are constant across units; their "
                "correlations are undefined; drop them before PCA weighting"
            )
        corr = np.corrcoef(values, rowvar=False)
        eig, vec = np.linalg.eigh(corr)
        order = np.argsort(eig)[::-1]
        eig, vec = eig[order], vec[:, order]
        if eig[-1] < 1e-10 * p:
            null = vec[:, -1]
            involved = X.columns[np.abs(null) > 0.05]
            raise InputDataError(
                "the correlation matrix is singular (smallest eigenvalue "
                f"{eig[-1]:.2e}): indicators {format_labels(involved)} are linearly dependent; "
                "drop one of them"
            )
        eig = np.clip(eig, 0.0, None)
        cols = X.columns
        pcs = [f"PC{i + 1}" for i in range(p)]
        self.correlation_ = pd.DataFrame(corr, index=cols, columns=cols)
        self.eigenvalues_ = pd.Series(eig, index=pcs, name="eigenvalue")
        self.explained_variance_ratio_ = pd.Series(eig / p, index=pcs, name="share")
        overall, per = kmo(corr)
        self.kmo_ = {"overall": overall, "per_indicator": pd.Series(per, index=cols, name="kmo")}
        self.bartlett_ = bartlett_sphericity(corr, n)

        full_loadings = vec * np.sqrt(eig)
        if self.method == "first_component":
            self.n_factors_ = 1
            self.retention_ = {"rule": "first component"}
            lam = _fix_signs(full_loadings[:, :1])[:, 0]
            self.loadings_ = pd.DataFrame({"PC1": lam}, index=cols)
            self.rotated_loadings_ = None
            self.squared_loadings_ = None
            self.factor_variance_ = None
            self.factor_share_ = None
            self.assigned_factor_ = None
            neg = cols[lam < 0]
            if len(neg):
                warnings.warn(
                    f"indicators {format_labels(neg)} load negatively on the first principal "
                    "component; their weights reflect the size, not the direction, of the "
                    "loading",
                    NegativeLoadingWarning,
                    stacklevel=2,
                )
            raw = lam**2 if self.first_component_weights == "squared" else np.abs(lam)
            self.weights_ = _finalise(raw, cols)
            return self

        k = self._retain(eig)
        self.n_factors_ = k
        lam = _fix_signs(full_loadings[:, :k])
        self.loadings_ = pd.DataFrame(lam, index=cols, columns=pcs[:k])
        if self.rotation == "varimax" and k > 1:
            rot, _ = varimax(lam, normalize=self.kaiser_normalize)
            rot = _fix_signs(rot)
            fnames = [f"F{i + 1}" for i in range(k)]
            self.rotated_loadings_ = pd.DataFrame(rot, index=cols, columns=fnames)
        else:
            rot = lam
            fnames = pcs[:k]
            self.rotated_loadings_ = None
        sq = rot**2
        fvar = sq.sum(axis=0)
        scaled = sq / fvar
        share = fvar / fvar.sum()
        score = scaled if self.assignment == "max_loading" else scaled * share
        assigned = score.argmax(axis=1)
        raw = scaled[np.arange(p), assigned] * share[assigned]
        self.squared_loadings_ = pd.DataFrame(scaled, index=cols, columns=fnames)
        self.factor_variance_ = pd.Series(fvar, index=fnames, name="explained_variance")
        self.factor_share_ = pd.Series(share, index=fnames, name="share")
        self.assigned_factor_ = pd.Series([fnames[i] for i in assigned], index=cols, name="factor")
        self.weights_ = _finalise(raw, cols)
        return self


def _fix_signs(loadings: np.ndarray) -> np.ndarray:
    """Flip each column so that its loadings sum to a positive number (deterministic)."""
    out = np.array(loadings, dtype=float)
    s = out.sum(axis=0)
    flip = np.where(s < 0, -1.0, 1.0)
    # tie (sum exactly 0): use the sign of the largest absolute loading
    tie = np.isclose(s, 0.0)
    if tie.any():
        idx = np.abs(out).argmax(axis=0)
        flip = np.where(tie, np.sign(out[idx, np.arange(out.shape[1])]), flip)
        flip = np.where(flip == 0, 1.0, flip)
    return out * flip
