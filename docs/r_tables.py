"""The "Coming from R" tables: R calls mapped to this toolkit, as data.

One list per R package.  Each row gives the R call, the Python call and the difference in
conventions.  The Python cell is real code.  ``tests/test_docs.py`` runs every one of them
in the namespace built by :func:`namespace`, so a renamed function or argument breaks a
test, not a reader's script.

The Sphinx directive ``.. r-mapping:: benchmarking`` (or ``dear``, ``coinr``) renders a
list as a table.  When a model gets a counterpart here (say ``dea.add`` or
``model_sbmeff``), add its row to the list.
"""

from __future__ import annotations

from typing import Any

#: (R call, Python call, differences).  Names in the Python cells: ``df`` (units x
#: columns), ``X``/``Y`` (input/output column lists), ``ref`` (reference units),
#: ``panel`` (long panel: ``firm``, ``year``, ``x``, ``y``), ``res``/``out`` (fitted results).
BENCHMARKING: list[tuple[str, str, str]] = [
    (
        'e <- dea(X, Y, RTS="vrs", ORIENTATION="in")',
        'res = dea.Radial(df, inputs=X, outputs=Y, rts="vrs", orientation="input").fit()',
        "The same LP. The inputs are named columns of a data frame, and every result is "
        "indexed by the data frame's row labels.",
    ),
    (
        'eff(dea(X, Y, ORIENTATION="out")); efficiencies(e)',
        'dea.Radial(df, X, Y, orientation="output").fit().phi',
        "Benchmarking's ``eff`` is the Farrell expansion factor phi >= 1. "
        "``res.phi`` gives the same number. ``res.scores`` is 1/phi, in (0, 1].",
    ),
    (
        'dea(X, Y, ORIENTATION="graph")',
        'dea.Radial(df, X, Y, orientation="graph").fit().scores',
        "Both use the hyperbolic measure G. Benchmarking returns 0.9999999 for some "
        "efficient units. Here, a score within 1e-9 of 1 is reported as exactly 1.",
    ),
    (
        'RTS="crs" / "drs" / "irs"',
        'dea.Radial(df, X, Y, rts="nirs").fit()',
        "Benchmarking's ``drs`` (decreasing returns allowed) is ``rts='nirs'``. Its "
        "``irs`` is ``rts='ndrs'``, and ``crs`` is ``crs``. The default RTS is ``vrs`` "
        "in both.",
    ),
    (
        'dea(X, Y, RTS="fdh")',
        "dea.FDH(df, X, Y).fit()",
        "Solved by enumeration, with no mixed-integer program. Peers follow the tie "
        "rule in :class:`dea.FDH`.",
    ),
    (
        "dea(X, Y, XREF=Xr, YREF=Yr)",
        "dea.Radial(df, X, Y, reference=ref).fit()",
        "``reference`` takes labels, a boolean mask or a data frame of other units with "
        "the same columns.",
    ),
    (
        "slack(X, Y, e); e$sx, e$sy, e$sum",
        'dea.Radial(df, X, Y, slack_sum="unweighted").fit().slacks',
        "Benchmarking maximises the plain sum of slacks in the units of your data. "
        "``slack_sum='unweighted'`` does the same. The default, ``'scaled'``, divides "
        "each slack by its column mean first, so the max-slack solution does not depend "
        "on units of measurement. Phase 2 runs by default (``two_phase=True``). "
        "Benchmarking's ``SLACK`` is FALSE by default.",
    ),
    (
        "dea.dual(X, Y, RTS, ORIENTATION); e$ux, e$vy",
        "res.weights, res.free",
        "The multipliers v (inputs) and u (outputs) are given in the units of your "
        "data. ``free`` is the RTS term. When several optima exist, the dual reported "
        "may differ between packages.",
    ),
    (
        "peers(e); get.which.peers(e); get.number.peers(e); get.peers.lambda(e); lambda(e)",
        "res.peers, res.efficient, res.lambdas",
        "``peers`` holds lists of unit labels, not row numbers. ``lambdas`` is a sparse "
        "table (use ``res.lambda_matrix`` for scipy).",
    ),
    (
        'sdea(X, Y, RTS="vrs", ORIENTATION="in")',
        'dea.Radial(df, X, Y, rts="vrs", super_efficiency=True).fit().status',
        "Where the LP is infeasible, Benchmarking 0.33 returns ``Inf`` (input "
        "orientation) or ``-Inf`` (output). Here the unit gets status "
        "``'infeasible'``, a NaN score and an ``InfeasibleUnitWarning``. The unit is "
        "never dropped.",
    ),
    (
        'dea.add(X, Y, RTS="vrs")',
        'dea.Additive(df, X, Y, rts="vrs", weights="ones").fit()',
        "``res.scores`` is Benchmarking's ``sum`` (the plain slack sum), and "
        "``res.slacks`` gives ``sx`` and ``sy``. Other ``weights`` (``'ram'``, "
        "``'mip'``, ``'normalized'``) make the score independent of units. An efficient "
        "unit scores 0.",
    ),
    (
        'dea.direct(X, Y, DIRECT=g, RTS="vrs")',
        'dea.DDF(df, X, Y, direction="observed", rts="vrs").fit()',
        "``direction`` gives g for the inputs and outputs together (``'observed'``, "
        "``'inputs'``, ``'outputs'``, ``'unit'``, or per column or unit). "
        "``res.scores`` is beta, an inefficiency, with 0 on the frontier. Undesirable "
        "outputs go in ``undesirable=``.",
    ),
    (
        'eff(dea(X, Y, RTS="crs")) / eff(dea(X, Y, RTS="vrs"))',
        "dea.scale_efficiency(df, X, Y)",
        "One call gives the CRS, VRS and NIRS scores, the scale efficiency, and the "
        "returns-to-scale class of each unit.",
    ),
    (
        'dea.boot(X, Y, NREP=200, RTS="vrs", ORIENTATION="in", alpha=0.05)',
        "dea.bootstrap(dea.Radial(df, X, Y), n_boot=50, alpha=0.05, seed=1)",
        "The default number of replications is 2000 (Simar and Wilson), against 200 "
        "in Benchmarking. Scores are on the (0, 1] scale. In input orientation "
        "Benchmarking computes the bandwidth from Farrell scores. Pass ``bandwidth=h`` "
        "to use its value.",
    ),
    (
        'malmq(X0, Y0, ID0, X1, Y1, ID1, RTS="vrs", ORIENTATION="in")',
        'dea.Malmquist(panel, ["x"], ["y"], unit="firm", period="year", rts="vrs").fit()',
        "The data are one long panel, not one matrix per period. The default RTS is "
        "``crs`` here and ``vrs`` in Benchmarking. Values above 1 mean improvement in "
        "both orientations. In output orientation, Benchmarking's ``m``, ``tc`` and "
        "``ec`` are the reciprocals of these.",
    ),
    (
        'malmquist(X, Y, ID, TIME, RTS="vrs", ORIENTATION="in")',
        'dea.Malmquist(panel, ["x"], ["y"], unit="firm", period="year", rts="vrs").fit()',
        "The same long panel. Differences as for ``malmq``.",
    ),
    (
        "dea.plot.frontier(x, y, RTS)",
        "socialperf.plots.dea_frontier(df, inputs=X[:1], outputs=Y[:1], rts='vrs')",
        "For one input and one output. The function returns the matplotlib Axes.",
    ),
]

DEAR: list[tuple[str, str, str]] = [
    (
        "d <- make_deadata(df, inputs=2:3, outputs=4:5); read_data(df, ...)",
        "dea.prepare(df, inputs=X, outputs=Y)",
        "There is no separate data object: every model takes the data frame and "
        "column names. The data are checked once: numeric, non-negative, unique labels.",
    ),
    (
        'model_basic(d, orientation="io", rts="vrs")',
        'dea.Radial(df, X, Y, rts="vrs", orientation="input").fit()',
        "``orientation``: ``io`` is ``'input'`` and ``oo`` is ``'output'``. ``rts`` "
        "takes the same names (``crs``, ``vrs``, ``nirs``, ``ndrs``). deaR's ``grs`` "
        "has no counterpart.",
    ),
    (
        'efficiencies(model_basic(d, orientation="oo"))',
        'dea.Radial(df, X, Y, orientation="output").fit().phi',
        "deaR's output-oriented efficiency is the expansion factor (>= 1). So is "
        "``res.phi``. ``res.scores`` is 1/phi.",
    ),
    (
        "model_basic(d, maxslack=TRUE); slacks(m)",
        'dea.Radial(df, X, Y, slack_sum="unweighted").fit().slacks',
        "deaR's default (``weight_slack_i = weight_slack_o = 1``) maximises the plain "
        "slack sum. That is ``slack_sum='unweighted'``. The default here divides each "
        "slack by its column mean.",
    ),
    (
        "targets(m); lambdas(m)",
        "res.targets, res.lambdas",
        "Targets are the projections after slacks, as in deaR. deaR rounds lambdas to "
        "5 decimals; here they are not rounded.",
    ),
    (
        "model_basic(d, compute_multiplier=TRUE); multipliers(m); model_multiplier(d)",
        "res.weights",
        "Multipliers are always computed. They are the phase-1 duals, in the units of your data.",
    ),
    (
        "model_basic(d, dmu_ref=1:10)",
        "dea.Radial(df, X, Y, reference=ref).fit()",
        "The reference set is given by labels, a mask or a data frame, not row numbers.",
    ),
    (
        "references(m); eff_dmus(m)",
        "res.peers, res.efficient",
        "Peers are lists of unit labels.",
    ),
    (
        'model_supereff(d, orientation="io", rts="vrs")',
        'dea.Radial(df, X, Y, rts="vrs", super_efficiency=True).fit().status',
        "deaR leaves infeasible DMUs out of its results (its own example notes this). "
        "Here they keep their row, with status ``'infeasible'`` and a NaN score.",
    ),
    (
        "model_additive(d, rts=\"vrs\", weight_slack_i=1, weight_slack_o=1)",
        'dea.Additive(df, X, Y, rts="vrs", weights="ones").fit()',
        "Unit slack weights give the plain slack sum, as in deaR. ``weights`` also takes "
        "``'ram'``, ``'mip'``, ``'normalized'``, a mapping or per-unit weights. An "
        "efficient unit scores 0.",
    ),
    (
        'model_sbmeff(d, orientation="no", rts="vrs")',
        'dea.SBM(df, X, Y, orientation="non", rts="vrs").fit()',
        "``orientation``: ``no`` is ``'non'``, ``io`` is ``'input'`` and ``oo`` is "
        "``'output'``. ``res.scores`` is rho in (0, 1] in every orientation.",
    ),
    (
        'model_sbmsupereff(d, orientation="no", rts="crs")',
        'dea.SBM(df, X, Y, rts="crs", super_efficiency=True).fit()',
        "Super-SBM (Tone 2002) for the SBM-efficient units (delta >= 1). Inefficient "
        "units keep their SBM score. Infeasible oriented LPs are a status.",
    ),
    (
        "model_dir(d, dir_input=..., dir_output=..., rts=\"vrs\")",
        'dea.DDF(df, X, Y, direction="observed", rts="vrs").fit()',
        "``direction`` replaces ``dir_input`` and ``dir_output``. ``res.scores`` is beta "
        "(0 on the frontier).",
    ),
    (
        'cross_efficiency(d, orientation="io", rts="crs", selfapp=TRUE)',
        'dea.CrossEfficiency(df, X, Y, goal="aggressive").fit().mean',
        "``Arbitrary`` is ``goal='simple'``. ``M3_agg`` and ``M3_ben`` are "
        "``method='ratio'`` with ``goal='aggressive'`` or ``'benevolent'``, and "
        "``M2_*`` is ``method='difference'``. deaR's ``e`` is ``res.mean`` "
        "(``selfapp=TRUE``) or ``res.mean_peer`` (``selfapp=FALSE``). deaR's "
        "output-oriented matrix holds the reciprocals. ``correction = TRUE`` (Lim and "
        "Zhu 2015) is ``correction=True``.",
    ),
    (
        'model_fdh(d, orientation="io")',
        "dea.FDH(df, X, Y).fit()",
        "Solved by enumeration.",
    ),
    (
        "rts(model_basic(d))",
        'dea.scale_efficiency(df, X, Y)["rts"]',
        "deaR reads the class from the sum of lambdas (threshold 1e-4). Here the NIRS "
        "score decides (Färe, Grosskopf and Lovell), to within 1e-9.",
    ),
    (
        'malmquist_index(make_malmquist(df, ...), orientation="io", rts="crs"); '
        "read_malmquist(...)",
        'dea.Malmquist(panel, ["x"], ["y"], unit="firm", period="year", rts="crs").fit()',
        "Consecutive periods (``type1='cont'``). Both the FGNZ parts (``pech``, "
        "``sech``) and the Ray-Desli parts (``techch_vrs``, ``sech_rd``) are in one "
        "result. ``base=`` compares each period with one base period.",
    ),
    (
        'bootstrap_basic(d, orientation="io", rts="vrs", B=2000, alpha=0.05)',
        'dea.bootstrap(dea.Radial(df, X, Y, rts="vrs"), n_boot=50, alpha=0.05, seed=1)',
        "The Simar-Wilson (1998) smoothed bootstrap. ``seed`` makes runs reproducible "
        "for any ``n_jobs``.",
    ),
]

COINR: list[tuple[str, str, str]] = [
    (
        "new_coin(iData, iMeta)",
        'wt.Scheme.from_dict({"indicators": meta, "normalisation": "minmax", '
        '"weights": "equal", "aggregation": "arithmetic"})',
        "A scheme is data: indicators (with scale, direction and group), "
        "normalisation, weights and aggregation in one dict or TOML file. iMeta's "
        "``Direction`` 1/-1 becomes ``'higher'``/``'lower'``.",
    ),
    (
        'Normalise(coin, dset="Raw")  # n_minmax, l_u = c(0, 100)',
        'wt.normalise(ind, "minmax")',
        "The default range is [0, 1] here and [0, 100] in COINr "
        "(``wt.MinMax(low=0, high=100)``). Normalisers can be fitted on a reference "
        "universe: ``reference=``.",
    ),
    (
        "n_zscore(x, m_sd = c(0, 1))",
        'wt.ZScore(mean=0, sd=1).fit_transform(ind["a"])',
        "Sample standard deviation (``ddof=1``) by default.",
    ),
    (
        "n_rank(x); n_prank(x)",
        'wt.normalise(ind, "rank"), wt.normalise(ind, "percentile")',
        "Direction comes from the indicator metadata, not from a ``direction`` argument.",
    ),
    (
        "n_goalposts(x, gposts = c(l, u, a))",
        'wt.Goalposts(lower=0.0, upper=1.0, scale=1.0).fit_transform(ind["a"])',
        "Clipped to the goalposts by default (COINr: ``trunc2posts = TRUE``).",
    ),
    (
        "n_dist2targ(x, targ, cap_max = TRUE)",
        'wt.DistanceToTarget(target=1.0, cap=1.0).fit_transform(ind["a"])',
        "",
    ),
    (
        'Aggregate(coin, dset, f_ag = "a_amean")  # a_gmean, a_hmean, a_genmean, a_copeland',
        'wt.get_aggregator("arithmetic")  # "geometric", "harmonic", "power", "copeland"',
        "Each aggregator declares the scale levels it is meaningful for. A geometric "
        "mean of interval data, for example, raises ``ScaleLevelError``.",
    ),
    (
        "a_genmean(x, w, p)",
        "wt.PowerMean(p=2)",
        "",
    ),
    (
        "get_PCA(coin, dset, weights_to = ...)",
        'wt.PCAWeights(method="first_component").fit(ind)',
        "COINr takes the raw loadings of the first component as weights. They can be "
        "negative, and their sign is arbitrary. ``first_component`` uses squared "
        "(or absolute) loadings, normalised to sum 1. The default, "
        "``method='oecd'``, is the OECD/JRC (2008) factor-analysis procedure.",
    ),
    (
        'Treat(coin, dset = "Raw")  # winmax = 5, skew_thresh = 2, kurt_thresh = 3.5',
        "wt.OutlierTreatment(winmax=5, skew_thresh=2.0, kurt_thresh=3.5).fit_transform(ind)",
        "The same iterative winsorisation rule, with a log transform as fallback.",
    ),
    (
        "skew(x); kurt(x)",
        'wt.skewness(ind["a"]), wt.kurtosis(ind["a"])',
        "The same moment estimators as COINr.",
    ),
    (
        'Impute(coin, dset, f_i = "i_mean")',
        'wt.MissingPolicy("mean")',
        "Used inside a scheme (``missing=``). The default, ``'reweight'``, leaves "
        "gaps and rescales each unit's weights over the indicators it has.",
    ),
    (
        "compare_coins(coin1, coin2, dset, iCode)",
        'wt.compare({"equal": out.scores, "other": out.scores * 2})',
        "Any number of schemes at once. It gives rank correlations (Spearman, "
        "Kendall), rank shifts, top-k overlap and movers.",
    ),
    (
        "get_stats(coin, dset); get_corr_flags(coin, dset); check_SkewKurt(x)",
        "wt.audit(scheme, ind).indicators",
        "One audit of the indicators (coverage, extremes, skewness and kurtosis, "
        "outliers), the indicator set (correlations, Cronbach's alpha, KMO) and the "
        "aggregation. The thresholds are COINr's defaults, listed in ``wt.THRESHOLDS`` "
        "with their sources.",
    ),
    (
        "get_cronbach(coin, dset, iCodes)",
        'wt.cronbach_alpha(ind)["alpha"]',
        "Also the standardised alpha and alpha-if-deleted per item.",
    ),
    (
        'get_sensitivity(coin, SA_specs, N, SA_type = "UA")',
        "wt.UncertaintyAnalysis(scheme, ind, [wt.Factor.weights_dirichlet()]).run(20)",
        "The factors are ``wt.Factor`` objects (weights, normalisation, aggregation, "
        "dropping an indicator, missing-data policy). The runs are vectorised.",
    ),
    (
        'get_sensitivity(coin, SA_specs, N, SA_type = "SA")',
        "wt.UncertaintyAnalysis(scheme, ind, [wt.Factor.weights_dirichlet(), "
        'wt.Factor.normalisation(["minmax", "rank"])]).sobol(16)',
        "First-order and total Sobol' indices are estimated by SALib (Saltelli "
        "sampling), with bootstrap confidence intervals.",
    ),
]

TABLES = {"benchmarking": BENCHMARKING, "dear": DEAR, "coinr": COINR}

_LATER = "no counterpart yet"

#: Every function Benchmarking 0.33 exports (``ls("package:Benchmarking")``) that has no
#: row above, and why.  ``tests/test_docs.py`` checks that mapped + these = all exports.
BENCHMARKING_NOT_MAPPED: dict[str, str] = {
    "mea": f"multi-directional efficiency: {_LATER}",
    "mea.lines": f"multi-directional efficiency: {_LATER}",
    "cost.opt": f"cost, revenue and profit (price) efficiency: {_LATER}",
    "revenue.opt": f"cost, revenue and profit (price) efficiency: {_LATER}",
    "profit.opt": f"cost, revenue and profit (price) efficiency: {_LATER}",
    "print.cost.opt": "print method of cost.opt",
    "print.profit.opt": "print method of profit.opt",
    "print.revenue.opt": "print method of revenue.opt",
    "summary.cost.opt": "summary method of cost.opt",
    "summary.profit.opt": "summary method of profit.opt",
    "summary.revenue.opt": "summary method of revenue.opt",
    "dea.merge": f"merger analysis: {_LATER}",
    "make.merge": f"merger analysis: {_LATER}",
    "boot.fear": "bootstrap through the FEAR library: use dea.bootstrap",
    "critValue": f"bootstrap tests of returns to scale: {_LATER}",
    "typeIerror": f"bootstrap tests of returns to scale: {_LATER}",
    "eladder": f"efficiency ladders: {_LATER}",
    "eladder.plot": f"efficiency ladders: {_LATER}",
    "eladder2": f"efficiency ladders: {_LATER}",
    "outlier.ap": f"Andersen-Petersen outlier detection: {_LATER}",
    "outlier.ap.plot": f"Andersen-Petersen outlier detection: {_LATER}",
    "outlierC.ap": f"Andersen-Petersen outlier detection: {_LATER}",
    "excess": "not a function here: df[X] - res.targets[X]",
    "lambda.print": "res.lambdas is a labelled table",
    "dea.plot": "frontier plots other than 1 input x 1 output: not here",
    "dea.plot.isoquant": "frontier plots other than 1 input x 1 output: not here",
    "dea.plot.transform": "frontier plots other than 1 input x 1 output: not here",
    "eff.dens": "a kernel density of scores: use pandas (res.scores.plot.kde())",
    "eff.dens.plot": "a kernel density of scores: use pandas (res.scores.plot.kde())",
    "sfa": "stochastic frontier analysis: not DEA, out of scope",
    "sfa.cost": "stochastic frontier analysis: not DEA, out of scope",
    "lambda.sfa": "stochastic frontier analysis: not DEA, out of scope",
    "sigma2.sfa": "stochastic frontier analysis: not DEA, out of scope",
    "sigma2u.sfa": "stochastic frontier analysis: not DEA, out of scope",
    "sigma2v.sfa": "stochastic frontier analysis: not DEA, out of scope",
    "te.add.sfa": "stochastic frontier analysis: not DEA, out of scope",
    "te.sfa": "stochastic frontier analysis: not DEA, out of scope",
    "teBC.sfa": "stochastic frontier analysis: not DEA, out of scope",
    "teJ.sfa": "stochastic frontier analysis: not DEA, out of scope",
    "teMode.sfa": "stochastic frontier analysis: not DEA, out of scope",
    "stoned": "StoNED: not DEA, out of scope",
}

#: Every function deaR 1.5.3 exports (its NAMESPACE) that has no row above, and why.
DEAR_NOT_MAPPED: dict[str, str] = {
    "model_addmin": f"additive model: {_LATER}",
    "model_addsupereff": f"additive model: {_LATER}",
    "cross_efficiency_fuzzy": "fuzzy DEA: out of scope",
    "model_deaps": f"preference structure model: {_LATER}",
    "model_nonradial": f"non-radial (Russell) model: {_LATER}",
    "model_lgo": f"linear generalized oriented model: {_LATER}",
    "model_qgo": f"quadratic generalized oriented model: {_LATER}",
    "model_rdm": f"range directional model: {_LATER}",
    "model_profit": f"profit efficiency: {_LATER}",
    "undesirable_basic": f"undesirable inputs/outputs: {_LATER}",
    "maximal_friends": f"maximal friends sets: {_LATER}",
    "is.friends": f"maximal friends sets: {_LATER}",
    "extreme_efficient": "internal here: column generation finds the frontier",
    "modelfuzzy_guotanaka": "fuzzy DEA: out of scope",
    "modelfuzzy_kaoliu": "fuzzy DEA: out of scope",
    "modelfuzzy_possibilistic": "fuzzy DEA: out of scope",
    "make_deadata_fuzzy": "fuzzy DEA: out of scope",
    "read_data_fuzzy": "fuzzy DEA: out of scope",
    "is.dea": "class checks: results are typed Python objects",
    "is.dea_fuzzy": "class checks: results are typed Python objects",
    "is.deadata": "class checks: results are typed Python objects",
    "is.deadata_fuzzy": "class checks: results are typed Python objects",
}

NOT_MAPPED = {"benchmarking": BENCHMARKING_NOT_MAPPED, "dear": DEAR_NOT_MAPPED}


def r_functions(r_call: str) -> set[str]:
    """The R function names called in an R cell (``name(`` patterns)."""
    import re

    return set(re.findall(r"([A-Za-z][\w.]*)\(", r_call))


def namespace() -> dict[str, Any]:
    """Small data on which every Python cell of the tables runs."""
    import warnings

    import numpy as np
    import pandas as pd

    import dea
    import socialperf
    import socialperf.plots
    import weighting as wt

    rng = np.random.default_rng(7)
    x = rng.uniform(1.0, 10.0, size=(12, 2))
    y = np.column_stack([np.sqrt(x[:, 0] * x[:, 1]), x.sum(axis=1) / 4])
    y = y * rng.uniform(0.5, 1.0, size=(12, 2))
    df = pd.DataFrame(
        np.column_stack([x, y]),
        columns=["x1", "x2", "y1", "y2"],
        index=[f"U{i:02d}" for i in range(12)],
    )
    panel = pd.DataFrame(
        {
            "firm": list("ABCDABCD"),
            "year": [1, 1, 1, 1, 2, 2, 2, 2],
            "x": [2.0, 4.0, 5.0, 3.0, 2.0, 3.5, 5.0, 3.0],
            "y": [1.0, 4.0, 3.0, 2.0, 2.0, 4.0, 3.5, 2.5],
        }
    )
    ind = pd.DataFrame(
        {
            "a": [0.9, 0.5, 0.6, 0.3, 0.7, 0.1],
            "b": [0.2, 0.8, 0.5, 0.4, 0.6, 0.9],
            "c": [0.4, 0.3, 0.8, 0.6, 0.2, 0.5],
        },
        index=[f"u{i}" for i in range(6)],
    )
    meta = [{"name": c, "scale": "ratio", "direction": "higher"} for c in ind]
    scheme = wt.Scheme.from_dict(
        {
            "indicators": meta,
            "normalisation": "minmax",
            "weights": "equal",
            "aggregation": "arithmetic",
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = dea.Radial(df, ["x1", "x2"], ["y1", "y2"]).fit()
    return {
        "dea": dea,
        "wt": wt,
        "socialperf": socialperf,
        "df": df,
        "X": ["x1", "x2"],
        "Y": ["y1", "y2"],
        "ref": ["U00", "U01", "U02", "U03", "U04", "U05"],
        "panel": panel,
        "ind": ind,
        "meta": meta,
        "scheme": scheme,
        "res": res,
        "out": scheme.score(ind),
    }


def _rst_table(rows: list[tuple[str, str, str]]) -> list[str]:
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 30 38 32",
        "   :class: r-mapping",
        "",
        "   * - R",
        "     - Python",
        "     - Differences",
    ]
    for r_call, py_call, note in rows:
        lines += [
            f"   * - ``{r_call}``",
            f"     - ``{py_call}``",
            f"     - {note}" if note else "     -",
        ]
    return lines


def setup(app: Any) -> dict[str, Any]:
    """Sphinx extension: the ``r-mapping`` directive."""
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class RMapping(SphinxDirective):
        required_arguments = 1

        def run(self) -> list[nodes.Node]:
            key = self.arguments[0].lower()
            if key not in TABLES:
                raise self.error(f"r-mapping: unknown table {key!r}; known: {sorted(TABLES)}")
            lines = _rst_table(TABLES[key])
            if key in NOT_MAPPED:
                lines += ["", "Functions with no counterpart here:", ""]
                lines += [f"- ``{name}``: {why}" for name, why in sorted(NOT_MAPPED[key].items())]
            container = nodes.container()
            self.state.nested_parse(StringList(lines, source="r_tables.py"), 0, container)
            return container.children

    app.add_directive("r-mapping", RMapping)
    return {"parallel_read_safe": True, "version": "1"}
