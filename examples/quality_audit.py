"""Quality audit of indicators, indicator set and aggregation (the method's first step).

    python examples/quality_audit.py [OUT_DIR]   # default: ./quality-audit-output

Part 1 audits the OECD/JRC (2008) Technology Achievement Index (23 countries, 8 indicators
in 4 sub-indices; ``tests/results/tai_oecd2008.csv``) with ``weighting.audit``: min-max
normalisation, equal weights, arithmetic mean, and then the geometric mean.

Part 2 audits a study on the real MIX Market panel of African MFIs: the raw shared panel
(``../shared/data/mix/``) is screened with ``socialperf.read_mix_panel``, written next to a
study file whose reference universe is the panel itself, and ``socialperf audit study.toml``
is run on it (the command prints the audit and writes the report). Without the shared panel
the bundled extract of it is used (``socialperf audit demo``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd

import weighting as wt
from socialperf import read_mix_panel
from socialperf.cli import main as socialperf

ROOT = Path(__file__).resolve().parents[1]
TAI = ROOT / "tests" / "results" / "tai_oecd2008.csv"
MIX = ROOT.parent / "shared" / "data" / "mix" / "mix_africa_mfi_panel_1999_2019.csv"
SUBINDEX = {
    "patents": "creation",
    "royalties": "creation",
    "internet": "diffusion_recent",
    "exports": "diffusion_recent",
    "telephones": "diffusion_old",
    "electricity": "diffusion_old",
    "schooling": "skills",
    "university": "skills",
}


def tai_audit(out: Path) -> None:
    data = pd.read_csv(TAI, index_col=0)
    scheme = wt.Scheme(
        [{"name": c, "scale": "ratio", "group": g} for c, g in SUBINDEX.items()],
        normalisation="minmax",
        name="TAI (min-max, equal weights, arithmetic)",
    )
    res = wt.audit(scheme, data)
    print(res.summary())
    geo = scheme.replace(
        normalisation={"method": "minmax", "low": 1, "high": 100},
        aggregation="geometric",
        allow_scale_violations=True,
        name="TAI (min-max 1-100, geometric)",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", wt.ScaleLevelWarning)
        geo_res = wt.audit(geo, data)
    print("\nCompensability, arithmetic vs geometric mean")
    print(
        pd.concat([res.compensability, geo_res.compensability])
        .set_index("aggregation")[["declared", "median_ratio", "q25", "q75"]]
        .round(2)
        .to_string()
    )
    for name, table in res.tables().items():
        table.to_csv(out / f"tai_{name}.csv")


def mix_audit(out: Path) -> int:
    if not MIX.is_file():
        print(f"\n{MIX} not found: auditing the bundled extract of it (socialperf audit demo)")
        return socialperf(["audit", "demo", "--out", str(out / "mix-audit")])
    screening = read_mix_panel(MIX)
    panel_csv = out / "mix_panel_screened.csv"
    screening.panel.to_csv(panel_csv, index=False)
    study = out / "mix_study.toml"
    study.write_text(
        '[study]\nname = "MIX Africa panel, 2011"\nyear = 2011\nreference = "self"\n\n'
        f'[data]\nexample = false\nmfis = "{panel_csv.name}"\n\n'
        '[mfi]\nschemes = ["rating", "equal", "pca"]\n\n[miv]\nenabled = false\n',
        encoding="utf-8",
    )
    print(
        f"\nMIX panel: {len(screening.panel)} MFI-years after screening "
        f"({len(screening.exclusions)} values or rows screened out)"
    )
    return socialperf(["audit", str(study), "--out", str(out / "mix-audit")])


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "quality-audit-output")
    folder.mkdir(parents=True, exist_ok=True)
    tai_audit(folder)
    sys.exit(mix_audit(folder))
