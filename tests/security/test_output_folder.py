"""``--out``: the report writer never deletes or overwrites files it did not write.

Each report folder holds a manifest (``socialperf-manifest.json``) of the files the run wrote
with their sizes and SHA-256 digests. A later run into the same folder replaces and removes
only files listed there and unchanged since; a file of the user's (not listed, or changed
since) that would be overwritten makes the run refuse before anything is written; symlinks
are never followed. So the folder holds exactly the current run's files plus the user's own.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from dea.exceptions import InputDataError
from socialperf.cli import main
from socialperf.report import Report

MANIFEST = "socialperf-manifest.json"
#: What every report writes besides its tables and figures.
BASE = {"index.html", "report.xlsx", "settings.toml"}


def _report(*names: str) -> Report:
    rep = Report("r")
    for name in names:
        rep.table(name, pd.DataFrame({"v": [1.0, 2.0]}, index=["a", "b"]))
    return rep


def _files(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()
    }


def _manifest(folder: Path) -> set[str]:
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return {entry["path"] for entry in data["files"]}


def test_manifest_lists_exactly_the_files_written(tmp_path):
    out = tmp_path / "out"
    files = _report("a", "b").write(out)
    assert _manifest(out) == BASE | {"tables/a.csv", "tables/b.csv"}
    assert _files(out) == _manifest(out) | {MANIFEST}
    assert files.manifest == out / MANIFEST
    entry = json.loads((out / MANIFEST).read_text())["files"][0]
    assert set(entry) >= {"path", "bytes", "sha256"}


def test_user_files_in_the_folder_survive_two_runs(tmp_path):
    out = tmp_path / "out"
    (out / "tables").mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    (out / "tables" / "mine.csv").write_text("x\n1\n")
    _report("a", "b").write(out)
    _report("a").write(out)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "tables" / "mine.csv").read_text() == "x\n1\n"
    assert _files(out) == BASE | {"tables/a.csv", MANIFEST, "notes.txt", "tables/mine.csv"}


def test_stale_files_of_the_previous_run_are_removed(tmp_path):
    out = tmp_path / "out"
    _report("a", "b", "c").write(out)
    _report("b").write(out)
    assert _files(out) == BASE | {"tables/b.csv", MANIFEST}
    assert _manifest(out) == BASE | {"tables/b.csv"}


def test_user_file_with_an_output_name_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("my own page")
    with pytest.raises(InputDataError, match=r"index\.html.*not written by socialperf"):
        _report("a").write(out)
    assert (out / "index.html").read_text() == "my own page"
    assert _files(out) == {"index.html"}  # nothing written


def test_output_changed_since_the_run_is_not_overwritten_or_removed(tmp_path):
    out = tmp_path / "out"
    _report("a", "b").write(out)
    (out / "tables" / "a.csv").write_text("edited by hand")
    with pytest.raises(InputDataError, match=r"tables/a\.csv.*changed"):
        _report("a", "b").write(out)
    assert (out / "tables" / "a.csv").read_text() == "edited by hand"
    with pytest.raises(InputDataError, match=r"tables/a\.csv.*changed"):
        _report("b").write(out)  # a stale file that was edited is not removed either
    assert (out / "tables" / "a.csv").read_text() == "edited by hand"


def test_symlink_to_outside_is_never_followed(tmp_path):
    out = tmp_path / "out"
    _report("a").write(out)
    victim = tmp_path / "victim.csv"
    victim.write_text("precious")
    (out / "tables" / "a.csv").unlink()
    (out / "tables" / "a.csv").symlink_to(victim)
    with pytest.raises(InputDataError, match=r"tables/a\.csv.*symbolic link"):
        _report("a").write(out)
    assert victim.read_text() == "precious"
    with pytest.raises(InputDataError, match=r"tables/a\.csv.*symbolic link"):
        _report("b").write(out)  # stale entry that is now a link: not removed
    assert victim.read_text() == "precious"
    assert (out / "tables" / "a.csv").is_symlink()


def test_symlinked_subfolder_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "tables").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InputDataError, match=r"tables.*symbolic link"):
        _report("a").write(out)
    assert list(elsewhere.iterdir()) == []


def test_users_own_symlink_is_left_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / "link.txt").symlink_to(victim)
    _report("a").write(out)
    _report("b").write(out)
    assert (out / "link.txt").is_symlink() and victim.read_text() == "precious"


def test_forged_manifest_cannot_delete_outside(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    import hashlib

    digest = hashlib.sha256(b"precious").hexdigest()
    forged = {
        "files": [
            {"path": "../victim.txt", "bytes": 8, "sha256": digest},
            {"path": str(victim), "bytes": 8, "sha256": digest},
        ]
    }
    (out / MANIFEST).write_text(json.dumps(forged))
    _report("a").write(out)
    assert victim.read_text() == "precious"


def test_table_names_cannot_escape_the_folder(tmp_path):
    out = tmp_path / "out"
    _report("../../evil", "/etc/passwd").write(out)
    assert not (tmp_path / "evil.csv").exists()
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))


def test_unreadable_manifest_is_a_clear_error(tmp_path):
    out = tmp_path / "out"
    _report("a").write(out)
    (out / MANIFEST).write_text("{not json")
    with pytest.raises(InputDataError, match=MANIFEST):
        _report("a").write(out)


def test_out_is_a_file_is_refused(tmp_path):
    out = tmp_path / "out"
    out.write_text("a file")
    with pytest.raises(InputDataError, match="not a folder"):
        _report("a").write(out)
    assert out.read_text() == "a file"


def test_cli_refuses_folder_with_users_report_xlsx(hostile_study, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.xlsx").write_bytes(b"mine")
    code = main(["run", str(hostile_study), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "report.xlsx" in err and "--out" in err
    assert (out / "report.xlsx").read_bytes() == b"mine"


def test_cli_rerun_same_folder(hostile_report, hostile_study, tmp_path, capsys):
    """A second run into the folder of the first replaces its files."""
    import shutil

    out = tmp_path / "again"
    shutil.copytree(hostile_report, out, symlinks=True)
    before = _manifest(out)
    assert main(["run", str(hostile_study), "--out", str(out)]) == 0
    capsys.readouterr()
    assert _manifest(out) == before


def test_study_paths_relative_to_study_file_and_recorded(
    hostile_study, hostile_report, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # another working directory: paths still found
    from socialperf.study import Study

    study = Study.from_toml(os.path.relpath(hostile_study, tmp_path))
    assert study.data["mfis"] == (hostile_study.parent / "data" / "mfis.csv").resolve()
    table = pd.read_csv(hostile_report / "tables" / "study_files.csv", index_col=0)
    assert str((hostile_study.parent / "data" / "holdings.csv").resolve()) in set(table["path"])
    assert set(table.index) >= {
        "study",
        "data.mfis",
        "data.holdings",
        "data.fx_rates",
        "data.miv_indicators",
    }
    import hashlib

    mfis = (hostile_study.parent / "data" / "mfis.csv").read_bytes()
    assert table.loc["data.mfis", "sha256"] == hashlib.sha256(mfis).hexdigest()
    assert table.loc["data.mfis", "bytes"] == len(mfis)


def test_failed_run_keeps_a_manifest_of_what_it_wrote(tmp_path, monkeypatch):
    """A run that fails part way lists what it wrote, so the next run can replace it."""
    import socialperf._report_writer as report_module
    from socialperf.safety import write_csv

    out = tmp_path / "out"
    _report("a", "b").write(out)

    def failing(frame, path, **kw):
        write_csv(frame, path, **kw)  # the file is half written ...
        if path.name == "c.csv":
            raise OSError(28, "No space left on device")  # ... and then the disk is full

    monkeypatch.setattr(report_module, "write_csv", failing)
    with pytest.raises(OSError, match="No space"):
        _report("a", "c").write(out)
    monkeypatch.undo()
    listed = _manifest(out)
    assert {"tables/a.csv", "tables/b.csv", "tables/c.csv"} <= listed
    assert all((out / rel).is_file() for rel in listed)
    _report("a").write(out)  # the next good run is not refused, and cleans up
    assert _files(out) == BASE | {"tables/a.csv", MANIFEST}


def test_file_deleted_by_the_user_is_dropped_from_the_manifest(tmp_path):
    out = tmp_path / "out"
    _report("a", "b").write(out)
    (out / "tables" / "b.csv").unlink()
    _report("a").write(out)
    assert _manifest(out) == BASE | {"tables/a.csv"}


def test_dea_out_keeps_an_existing_file_unless_overwrite(tmp_path, capsys):
    data = tmp_path / "u.csv"
    pd.DataFrame({"unit": ["A", "B"], "x": [1.0, 2.0], "y": [1.0, 1.0]}).to_csv(data, index=False)
    out = tmp_path / "mine.csv"
    out.write_text("my own notes\n")
    argv = ["dea", str(data), "--inputs", "x", "--outputs", "y", "--out", str(out)]
    assert main(argv) == 1
    assert "--overwrite" in capsys.readouterr().err
    assert out.read_text() == "my own notes\n"
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "elsewhere.csv")
    assert main([*argv[:-1], str(link), "--overwrite"]) == 1
    assert not (tmp_path / "elsewhere.csv").exists()
    capsys.readouterr()
    assert main([*argv, "--overwrite"]) == 0
    assert "score" in out.read_text()
