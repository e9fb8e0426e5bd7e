"""The engine writes nothing to stdout: HiGHS's once-per-process banner is swallowed."""

import subprocess
import sys

CODE = """
import pandas as pd, dea
df = pd.DataFrame({"x": [1, 2, 3, 4.0], "y": [1, 3, 3, 2.0]}, index=list("abcd"))
s = dea.Radial(df, inputs=["x"], outputs=["y"], rts="vrs").fit().scores
assert abs(s["c"] - 2 / 3) < 1e-12, s
"""


def test_fit_prints_nothing_on_stdout():
    proc = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
