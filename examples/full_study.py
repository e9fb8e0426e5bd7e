"""The whole demo study through the Python API.
============================================

Runs the bundled demo study (African MFIs from the MIX Market panel, scored for 2011 under
seven schemes; eight example MIVs scored by look-through of their holdings; a DEA model;
a small uncertainty and Sobol' analysis) and writes a report folder.

    python examples/full_study.py [OUT_DIR] [--quick]   # default: ./full-study-report

The same as ``socialperf demo`` on the command line.  ``--quick`` runs three
schemes and 20 Monte Carlo runs only (the test suite uses it).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from socialperf.report import write_study_report
from socialperf.study import Study, run_study


def main(out: Path, quick: bool = False) -> None:
    study = Study.demo()
    # a short sensitivity analysis: 100 Monte Carlo runs and Sobol' indices with N = 32
    study = study.replace(sensitivity={"enabled": True, "runs": 100, "sobol": 32})
    if quick:
        study = study.replace(schemes=("rating", "equal", "pca"),
                              sensitivity={"runs": 20, "sobol": 0})
    print(study.to_toml())  # the configuration, as a study file would hold it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. one MIV below the coverage threshold
        result = run_study(study)

    print(result.summary())
    top = result.mfi_scores["equal"].nlargest(5)
    print("\nTop five MFIs under equal weights:")
    print(top.round(3).to_string())

    files = write_study_report(result, out)
    print(f"\nreport: {files.html}")
    print(f"tables: {', '.join(sorted(files.tables))}")
    print(f"figures: {', '.join(sorted(files.figures))}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    main(Path(args[0]) if args else Path("full-study-report"), quick="--quick" in sys.argv)
