"""The documentation: API reference complete, "Coming from R" tables runnable and complete.

The full build (``python -m sphinx -W --keep-going -b html docs docs/_build/html``) runs in
CI before the tests; ``test_built_api_index_lists_every_public_name`` reads its inventory.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BUILT_INVENTORY = DOCS / "_build" / "html" / "objects.inv"
PACKAGES = ("dea", "weighting", "socialperf")

sys.path.insert(0, str(DOCS))
r_tables = importlib.import_module("r_tables")

# ls("package:Benchmarking") of Benchmarking 0.33, and the exports in deaR 1.5.3's NAMESPACE
BENCHMARKING_EXPORTS = set(
    """
boot.fear cost.opt critValue dea dea.add dea.boot dea.direct dea.dual dea.merge dea.plot
dea.plot.frontier dea.plot.isoquant dea.plot.transform eff eff.dens eff.dens.plot
efficiencies eladder eladder.plot eladder2 excess get.number.peers get.peers.lambda
get.which.peers lambda lambda.print lambda.sfa make.merge malmq malmquist mea mea.lines
outlier.ap outlier.ap.plot outlierC.ap peers print.cost.opt print.profit.opt
print.revenue.opt profit.opt revenue.opt sdea sfa sfa.cost sigma2.sfa sigma2u.sfa
sigma2v.sfa slack stoned summary.cost.opt summary.profit.opt summary.revenue.opt te.add.sfa
te.sfa teBC.sfa teJ.sfa teMode.sfa typeIerror
""".split()
)
DEAR_EXPORTS = set(
    """
bootstrap_basic cross_efficiency cross_efficiency_fuzzy eff_dmus efficiencies
extreme_efficient is.dea is.dea_fuzzy is.deadata is.deadata_fuzzy is.friends lambdas
make_deadata make_deadata_fuzzy make_malmquist malmquist_index maximal_friends
model_additive model_addmin model_addsupereff model_basic model_deaps model_dir model_fdh
model_lgo model_multiplier model_nonradial model_profit model_qgo model_rdm model_sbmeff
model_sbmsupereff model_supereff modelfuzzy_guotanaka modelfuzzy_kaoliu
modelfuzzy_possibilistic multipliers read_data read_data_fuzzy read_malmquist references
rts slacks targets undesirable_basic
""".split()
)


def _documented_names(package: str) -> set[str]:
    """Names listed in docs/api/<package>.rst (autosummary entries and py:data)."""
    text = (DOCS / "api" / f"{package}.rst").read_text(encoding="utf-8")
    names = set(re.findall(r"^\.\. py:data:: (\w+)", text, flags=re.M))
    for block in re.findall(r"^\.\. autosummary::\n((?:   .*\n|\n)+)", text, flags=re.M):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith(":"):
                names.add(line)
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_api_pages_list_every_public_name(package):
    public = set(importlib.import_module(package).__all__)
    documented = _documented_names(package)
    assert public - documented == set(), f"add to docs/api/{package}.rst"
    assert documented - public == set(), f"not in {package}.__all__"


@pytest.mark.skipif(not BUILT_INVENTORY.is_file(), reason="docs not built (see module doc)")
def test_built_api_index_lists_every_public_name():
    from sphinx.util.inventory import InventoryFile

    with open(BUILT_INVENTORY, "rb") as fh:
        inv = InventoryFile.load(fh, "", lambda base, uri: uri)
    names = {name for entries in inv.values() for name in entries}
    for package in PACKAGES:
        missing = [
            f"{package}.{n}"
            for n in importlib.import_module(package).__all__
            if f"{package}.{n}" not in names
        ]
        assert missing == [], f"missing from the built API index: {missing}"


ROWS = [(key, py) for key, rows in r_tables.TABLES.items() for _, py, _ in rows]


@pytest.mark.parametrize(("table", "python"), ROWS, ids=[f"{k}:{p[:40]}" for k, p in ROWS])
def test_r_mapping_python_call_runs(table, python):
    ns = r_tables.namespace()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. InfeasibleUnitWarning in super-efficiency rows
        code = compile(python, f"<{table} row>", "exec")
        exec(code, ns)  # a renamed function or argument fails here
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.mark.parametrize(
    ("table", "exports"), [("benchmarking", BENCHMARKING_EXPORTS), ("dear", DEAR_EXPORTS)]
)
def test_r_mapping_accounts_for_every_export(table, exports):
    mapped = set().union(*(r_tables.r_functions(r) for r, _, _ in r_tables.TABLES[table]))
    not_mapped = set(r_tables.NOT_MAPPED[table])
    assert mapped - exports == set(), "an R cell calls a function the package lacks"
    assert mapped & not_mapped == set()
    assert exports - mapped - not_mapped == set(), "map it, or say why not"
    assert not_mapped - exports == set()


def test_benchmarking_exports_match_installed_r_package():
    if shutil.which("Rscript") is None:
        pytest.skip("R not installed")
    proc = subprocess.run(
        [
            "Rscript",
            "-e",
            "suppressMessages(library(Benchmarking)); "
            'cat(as.character(packageVersion("Benchmarking")), ls("package:Benchmarking"))',
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        pytest.skip("R package Benchmarking not installed")
    version, *names = proc.stdout.split()
    if version != "0.33":
        pytest.skip(f"Benchmarking {version} installed; the table is for 0.33")
    assert set(names) == BENCHMARKING_EXPORTS
