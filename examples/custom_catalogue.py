"""Score MFIs with your own indicator catalogue.
=============================================

    python examples/custom_catalogue.py [OUT_DIR]  # default: ./custom-catalogue-output

The catalogue says which indicators exist, their SPTF dimension, measurement scale,
direction and MIX source column.  Here a user copies the bundled catalogue, drops the
write-off ratio (a client-protection indicator many MFIs do not report) and adds
operational self-sufficiency (MIX ``operational_self_sufficiency``) under the "balance"
dimension, saves it as ``my_catalogue.csv``, and compares the equal-weights scores of the
two catalogues.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import pandas as pd

from socialperf import example_data, load_catalogue, score_mfis


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with resources.as_file(resources.files("socialperf") / "data" / "catalogue.csv") as p:
        rows = pd.read_csv(p)
    rows = rows[rows["name"] != "write_off_ratio"]
    new = {
        "name": "self_sufficiency",
        "level": "MFI",
        "dimension": "balance",
        "scale": "ratio",
        "direction": "higher",
        "unit": "operating revenue / total expense",
        "source": "operational_self_sufficiency",
        "in_bundled_data": "yes",
        "description": "Operational self-sufficiency: can the MFI cover its costs?",
    }
    rows = pd.concat([rows, pd.DataFrame([new])], ignore_index=True)
    path = out / "my_catalogue.csv"
    rows.to_csv(path, index=False)

    mine = load_catalogue(path)  # validated: scale, direction, dimension, categories
    print(mine.summary().loc[mine.names("MFI")].iloc[:, :4].to_string())

    ex = example_data()
    default = score_mfis(ex.mfis, scheme="equal", year=2011)
    custom = score_mfis(ex.mfis, scheme="equal", year=2011, catalogue=mine)
    print("\nindicators, default catalogue:", ", ".join(default.info["indicators"]))
    print("indicators, my catalogue:     ", ", ".join(custom.info["indicators"]))

    both = pd.DataFrame({"default": default.scores, "custom": custom.scores})
    both.to_csv(out / "scores.csv")
    common = both.dropna()
    rho = common["default"].rank().corr(common["custom"].rank())
    print(f"\n{len(common)} MFIs scored with both catalogues; Spearman rho = {rho:.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("custom-catalogue-output"))
