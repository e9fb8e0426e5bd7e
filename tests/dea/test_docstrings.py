"""The public ``dea`` docstrings: their examples run, and their required sections exist.

Every module of the package is run through :mod:`doctest` (the examples are small hand-
checkable cases; a wrong number in a docstring fails here).  The structural checks
follow the conventions of ``design.md``: numpy-style sections, the LP written out in
Notes, and the papers in References.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import dea

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(dea.__path__, prefix="dea.")
    if not name.startswith("dea.solvers.pulp") or importlib.util.find_spec("pulp") is not None
)


@pytest.mark.parametrize("module_name", MODULES)
def test_doctests_pass(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {module_name}"


def test_doctests_exist_for_the_main_api() -> None:
    finder = doctest.DocTestFinder()
    for obj in (
        dea.Radial,
        dea.FDH,
        dea.BoD,
        dea.CrossEfficiency,
        dea.scale_efficiency,
        dea.export_lp,
        dea.Additive,
        dea.SBM,
        dea.DDF,
    ):
        examples = sum(len(t.examples) for t in finder.find(obj))
        assert examples >= 2, f"{obj.__name__} has no runnable Examples"


# name -> words its docstring must contain (sections, LP pieces, papers)
REQUIRED = {
    "Radial": [
        "Parameters",
        "Raises",
        "Notes",
        "References",
        "Examples",
        "min theta",
        "max phi",
        "min G",
        "super_efficiency",
        "R_k",
        "Charnes, A., Cooper, W. W., & Rhodes, E. (1978)",
        "Banker, R. D., Charnes, A., & Cooper, W. W. (1984)",
        "Andersen, P., & Petersen, N. C. (1993)",
        "Färe, R., Grosskopf, S., & Lovell, C. A. K. (1985)",
    ],
    "FDH": [
        "Parameters",
        "Notes",
        "References",
        "Examples",
        "min theta",
        "max phi",
        "Deprins, D., Simar, L., & Tulkens, H. (1984)",
    ],
    "scale_efficiency": [
        "Parameters",
        "Returns",
        "Raises",
        "Notes",
        "References",
        "Examples",
        "e'lambda <= 1",
        "Banker, R. D., Charnes, A., & Cooper, W. W. (1984)",
        "Färe, R., Grosskopf, S., & Lovell, C. A. K. (1985)",
    ],
    "BoD": [
        "Parameters",
        "Raises",
        "Notes",
        "References",
        "Examples",
        "\\max_{w}",
        "\\min_{\\lambda",
        "Cherchye, L., Moesen, W., Rogge, N. & Van Puyenbroeck, T. (2007)",
    ],
    "Additive": [
        "Parameters",
        "Raises",
        "Notes",
        "References",
        "Examples",
        "max  sum_i w-_i s-_i + sum_r w+_r s+_r",
        "Charnes, A., Cooper, W. W., Golany, B., Seiford, L., & Stutz, J. (1985)",
        "Cooper, W. W., Park, K. S., & Pastor, J. T. (1999)",
    ],
    "SBM": [
        "Parameters",
        "Raises",
        "Notes",
        "References",
        "Examples",
        "min  t - (1/m) sum_i S-_i / x_ik",
        "R_k",
        "Tone, K. (2001)",
        "Tone, K. (2002)",
    ],
    "DDF": [
        "Parameters",
        "Raises",
        "Notes",
        "References",
        "Examples",
        "max beta",
        "B lambda + s_b = b_k - beta g_b",
        "Chambers, R. G., Chung, Y., & Färe, R. (1998)",
        "Chung, Y. H., Färe, R., & Grosskopf, S. (1997)",
    ],
    "InefficiencyResult": ["Attributes", "Examples"],
    "SBMResult": ["Examples"],
    "export_lp": ["Parameters", "Returns", "Raises", "Examples"],
    "DEAResult": ["Attributes", "Examples"],
    "BoDResult": ["Attributes", "Examples"],
    "CrossEfficiency": [
        "Parameters",
        "Raises",
        "Notes",
        "References",
        "Examples",
        "max N_d(w)",
        "min D_d(w)",
        "sum_j D_j(w) = 1",
        "MAX_UNITS",
        "Sexton, T. R., Silkman, R. H., & Hogan, A. J. (1986)",
        "Doyle, J., & Green, R. (1994)",
    ],
    "CrossEfficiencyResult": ["Attributes", "Examples", "rows are the rating units"],
}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_docstring_sections(name: str) -> None:
    doc = getattr(dea, name).__doc__ or ""
    missing = [word for word in REQUIRED[name] if word not in doc]
    assert not missing, f"dea.{name} docstring lacks {missing}"
