"""Regenerate the ``*_pyfrontier.csv`` reference scores with the Pyfrontier package.

This script is NOT part of the test suite and does not import ``dea``. It documents exactly how
the third-party reference numbers in this folder were produced, so they can be re-made:

    python -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install Pyfrontier==1.1.1      # pulls PuLP 3.3.2 (CBC) and numpy
    /tmp/refvenv/bin/python tests/results/make_pyfrontier_reference.py

For every data set and every (returns to scale, orientation) pair it calls

    Pyfrontier.EnvelopDEA(frontier, orient).fit(inputs, outputs)

and writes ``[r.score for r in model.result]``; the ``super_crs_*`` columns come from
``EnvelopDEA(frontier="CRS", orient=O, super_efficiency=True)``.  Pyfrontier rounds scores
to 6 decimals, and reports output orientation as phi >= 1 (the factor by which outputs can
be expanded).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from Pyfrontier.frontier_model import EnvelopDEA

HERE = Path(__file__).resolve().parent

DATASETS = {
    # file, label column, input columns, output columns
    "pft1981": ("school", ["x1", "x2", "x3", "x4", "x5"], ["y1", "y2", "y3"]),
    "hospital12": ("hospital", ["doctors", "nurses"], ["outpatients", "inpatients"]),
    "fls11": ("unit", ["x1", "x2"], ["y"]),
    "deap_eg1": ("firm", ["x1", "x2"], ["y"]),
}
FRONTIERS = {"crs": "CRS", "vrs": "VRS", "nirs": "NIRS", "ndrs": "NDRS"}
ORIENTS = {"input": "in", "output": "out"}


def _read(name: str, label: str, xcols: list[str], ycols: list[str]):
    with open(HERE / f"{name}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    labels = [r[label] for r in rows]
    x = np.array([[float(r[c]) for c in xcols] for r in rows])
    y = np.array([[float(r[c]) for c in ycols] for r in rows])
    return labels, x, y


def main() -> None:
    for name, (label, xcols, ycols) in DATASETS.items():
        labels, x, y = _read(name, label, xcols, ycols)
        columns = {}
        for rts, frontier in FRONTIERS.items():
            for orientation, orient in ORIENTS.items():
                model = EnvelopDEA(frontier=frontier, orient=orient)
                model.fit(x, y)
                columns[f"{rts}_{orientation}"] = [r.score for r in model.result]
        for orientation, orient in ORIENTS.items():
            # Andersen-Petersen super-efficiency (unit left out of its own reference set);
            # CRS only, where the LP is always feasible for positive data.
            model = EnvelopDEA(frontier="CRS", orient=orient, super_efficiency=True)
            model.fit(x, y)
            columns[f"super_crs_{orientation}"] = [r.score for r in model.result]
        with open(HERE / f"{name}_pyfrontier.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow([label, *columns])
            for i, lab in enumerate(labels):
                w.writerow([lab, *(f"{columns[c][i]:.6f}" for c in columns)])
        print(f"wrote {name}_pyfrontier.csv")


if __name__ == "__main__":
    main()
