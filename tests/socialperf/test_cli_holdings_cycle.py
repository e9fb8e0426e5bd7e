"""`socialperf run` with a fund-of-funds cycle in the holdings (issue 13, defect 7).

It used to crash with ``TypeError: HoldingsCycleError.__init__() missing 1 required
positional argument: 'cycle'`` when the study re-raised the error with the file name.
"""

from __future__ import annotations

import pandas as pd
import pytest

from socialperf import HoldingsCycleError, example_data
from socialperf.cli import EXIT_OK, main
from socialperf.exceptions import HoldingsError, _with_context
from socialperf.study import Study, load_study_data


@pytest.fixture
def cycle_study(tmp_path):
    h = example_data().holdings
    table = getattr(h, "table", h)
    rows = pd.DataFrame(
        {"holder": ["MIV01", "MIV02"], "held": ["MIV02", "MIV01"], "amount": [1e6, 1e6],
         "currency": ["USD", "USD"], "date": [table["date"].iloc[0]] * 2}
    )
    cols = [c for c in ("holder", "held", "amount", "currency", "date") if c in table.columns]
    raw = pd.concat([table[cols], rows[cols]], ignore_index=True)
    raw.to_csv(tmp_path / "h.csv", index=False)
    path = tmp_path / "study.toml"
    path.write_text(
        '[study]\nyear = 2011\n[data]\nexample = true\nholdings = "h.csv"\n'
        '[mfi]\nschemes = ["equal"]\n[sensitivity]\nenabled = false\n'
    )
    return path


def test_study_reraises_the_cycle_error_with_the_file_name(cycle_study):
    with pytest.raises(HoldingsCycleError) as err:
        load_study_data(Study.from_toml(cycle_study))
    msg = str(err.value)
    assert msg.startswith("data.holdings (h.csv): holdings contain a fund-of-funds cycle")
    assert err.value.cycle[0] == err.value.cycle[-1]
    assert set(err.value.cycle) == {"MIV01", "MIV02"}


def test_cli_run_prints_one_line_naming_the_vehicles(capsys, cycle_study):
    code = main(["run", str(cycle_study), "--out", str(cycle_study.parent / "rep")])
    err = capsys.readouterr().err
    assert code != EXIT_OK
    assert len(err.strip().splitlines()) == 1, err
    assert "fund-of-funds cycle" in err and "MIV01" in err and "MIV02" in err
    assert "TypeError" not in err and "Traceback" not in err


def test_with_context_keeps_class_and_attributes():
    exc = HoldingsCycleError("a cycle A -> B -> A", ["A", "B", "A"])
    out = _with_context(exc, "data.holdings (h.csv): ")
    assert type(out) is HoldingsCycleError and out.cycle == ["A", "B", "A"]
    assert str(out) == "data.holdings (h.csv): a cycle A -> B -> A"
    assert str(exc) == "a cycle A -> B -> A"  # the original is unchanged
    assert str(_with_context(HoldingsError("x"), "p: ")) == "p: x"


def test_cycle_error_pickles_and_copies():
    import copy
    import pickle

    exc = HoldingsCycleError("a cycle A -> B -> A", ["A", "B", "A"])
    for back in (pickle.loads(pickle.dumps(exc)), copy.copy(exc)):
        assert type(back) is HoldingsCycleError and back.cycle == exc.cycle
        assert str(back) == str(exc)
