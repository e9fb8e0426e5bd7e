"""Untrusted input files: XML attacks in ``.xlsx``, oversized files and zip bombs.

openpyxl parses the XML inside an ``.xlsx`` file; with ``defusedxml`` installed it refuses
entity declarations (billion laughs, external entities). Files above the input size limit,
and ``.xlsx`` archives whose members expand beyond the expansion limit, are refused before
parsing, with an error naming the file and the limit.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from dea.exceptions import InputDataError
from socialperf.cli import main
from socialperf.io import read_mfis, read_table

ROOT = Path(__file__).resolve().parents[2]

_BOMB = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def _xlsx(path: Path, frame: pd.DataFrame | None = None) -> Path:
    (frame if frame is not None else pd.DataFrame({"mfiid": ["A"], "year": [2011]})).to_excel(
        path, index=False
    )
    return path


def _rewrite(path: Path, member: str, change) -> None:
    """Replace one member of a zip archive by ``change(old_bytes)``."""
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info.filename, change(data) if info.filename == member else data)


def _billion_laughs(path: Path) -> Path:
    _xlsx(path)

    def bomb(data: bytes) -> bytes:
        text = data.decode("utf-8")
        body = text[text.index("<worksheet") :]
        return (
            _BOMB
            + body.replace(
                "</sheetData>",
                '<row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>',
            )
        ).encode()

    _rewrite(path, "xl/worksheets/sheet1.xml", bomb)
    return path


def test_defusedxml_is_a_dependency_and_active():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.split(">")[0].split("=")[0].strip() == "defusedxml" for d in deps)
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_billion_laughs_xlsx_refused_naming_file(tmp_path):
    path = _billion_laughs(tmp_path / "bomb.xlsx")
    with pytest.raises(InputDataError, match=r"bomb\.xlsx.*(XML|entit)"):
        read_table(path)


def test_billion_laughs_through_the_command(tmp_path, capsys):
    path = _billion_laughs(tmp_path / "units.xlsx")
    code = main(["dea", str(path), "--inputs", "x", "--outputs", "y"])
    err = capsys.readouterr().err
    assert code == 1
    assert "units.xlsx" in err and "socialperf: error:" in err


def test_oversized_csv_refused_naming_file_and_limit(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    pd.DataFrame({"mfiid": range(60_000), "year": 2011}).to_csv(path, index=False)
    assert path.stat().st_size > 2**19
    monkeypatch.setenv("SOCIALPERF_MAX_INPUT_MB", "0.5")
    with pytest.raises(InputDataError, match=r"big\.csv.*0\.5 MB.*SOCIALPERF_MAX_INPUT_MB"):
        read_mfis(path)
    monkeypatch.setenv("SOCIALPERF_MAX_INPUT_MB", "2")
    assert len(read_table(path)) == 60_000  # overridable


def test_input_limit_context_manager(tmp_path):
    from socialperf.safety import input_limits

    path = tmp_path / "t.csv"
    pd.DataFrame({"a": range(1000)}).to_csv(path, index=False)
    with input_limits(max_bytes=100), pytest.raises(InputDataError, match=r"t\.csv"):
        read_table(path)
    assert len(read_table(path)) == 1000


def test_zip_bomb_refused_before_parsing(tmp_path, monkeypatch):
    path = _xlsx(tmp_path / "zipbomb.xlsx")
    # a member that deflates 8 MB of zeros into a few kB (ratio about 1000:1)
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda d: d + b" " * (8 * 2**20))
    assert path.stat().st_size < 2**16
    monkeypatch.setenv("SOCIALPERF_MAX_EXPANDED_MB", "4")
    with pytest.raises(InputDataError, match=r"zipbomb\.xlsx.*expands.*4 MB"):
        read_table(path)


def test_default_limits_are_documented():
    from socialperf import safety

    assert safety.DEFAULT_MAX_INPUT_MB == 512
    assert safety.DEFAULT_MAX_EXPANDED_MB == 2048
    doc = read_table.__doc__ or ""
    assert "SOCIALPERF_MAX_INPUT_MB" in doc and "SOCIALPERF_MAX_EXPANDED_MB" in doc
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "SOCIALPERF_MAX_INPUT_MB" in readme


def test_not_a_zip_xlsx_is_a_clear_error(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a zip file at all")
    with pytest.raises(InputDataError, match=r"fake\.xlsx"):
        read_table(path)


def test_normal_xlsx_still_reads(tmp_path):
    frame = pd.DataFrame({"mfiid": ["@A", "B"], "year": [2011, 2011], "x": [1.5, -2.0]})
    back = read_table(_xlsx(tmp_path / "ok.xlsx", frame))
    assert list(back["mfiid"]) == ["@A", "B"]
    assert list(back["x"]) == [1.5, -2.0]


def test_oversized_study_and_scheme_files_refused(tmp_path, monkeypatch):
    from socialperf.study import Study, StudyConfigError

    (tmp_path / "mine.toml").write_text("# " + "x" * 4000 + "\n")
    study = tmp_path / "study.toml"
    study.write_text('[data]\nexample = true\n[mfi]\nscheme_files = ["mine.toml"]\n' + "#" * 2000)
    monkeypatch.setenv("SOCIALPERF_MAX_INPUT_MB", str(3000 / 2**20))
    with pytest.raises(InputDataError, match=r"study\.toml.*above the input limit"):
        Study.from_toml(study)
    study.write_text('[data]\nexample = true\n[mfi]\nscheme_files = ["mine.toml"]\n')
    with pytest.raises(StudyConfigError, match=r"mfi\.scheme_files.*mine\.toml.*input limit"):
        Study.from_toml(study)


def test_bad_limit_setting_named(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n")
    monkeypatch.setenv("SOCIALPERF_MAX_INPUT_MB", "lots")
    with pytest.raises(InputDataError, match="SOCIALPERF_MAX_INPUT_MB='lots'"):
        read_table(path)
