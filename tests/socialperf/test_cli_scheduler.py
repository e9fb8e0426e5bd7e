"""Dask from the command line and the study file: ``--scheduler`` and ``[run] scheduler``.

The slow tests start real ``dask.distributed.LocalCluster`` s (``local:2``: two worker
processes) through the command and check that its output files are byte-identical to the
serial run's, and that the work really left this process.
"""

from __future__ import annotations

import os
import socket

import numpy as np
import pandas as pd
import pytest

from dea._parallel import (
    active_scheduler,
    map_chunks,
    parse_scheduler,
    resolve_jobs,
    scheduler,
)
from dea.exceptions import InputDataError
from socialperf.cli import main
from socialperf.study import Study, StudyConfigError


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("socialperf: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def small_csv(tmp_path):
    path = tmp_path / "units.csv"
    rng = np.random.default_rng(7)
    pd.DataFrame(
        {
            "unit": [f"U{i:03d}" for i in range(120)],  # > 50 units: several chunks, tasks
            "x1": rng.uniform(1, 10, 120),
            "x2": rng.uniform(1, 10, 120),
            "y": rng.uniform(1, 10, 120),
        }
    ).to_csv(path, index=False)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ the setting itself
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("local:2", "local:2"),
        ("LOCAL:03", "local:3"),
        ("tcp://10.1.2.3:8786", "tcp://10.1.2.3:8786"),
        ("tls://sched.example.org:8786", "tls://sched.example.org:8786"),
        ("sched:8786", "sched:8786"),
    ],
)
def test_parse_scheduler_accepts(given, expected):
    assert parse_scheduler(given, "--scheduler") == expected


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ("local:0", "positive integer"),
        ("local:-1", "positive integer"),
        ("local:x", "positive integer"),
        ("local:", "positive integer"),
        ("local", "not a scheduler address"),
        ("two words", "not a scheduler address"),
        ("ucx://host:1", "not a scheduler address"),
        (2, "expected a string"),
    ],
)
def test_parse_scheduler_refuses_naming_the_option(given, match):
    with pytest.raises(InputDataError, match=match) as info:
        parse_scheduler(given, "--scheduler")
    assert str(info.value).startswith("--scheduler")


def test_resolve_jobs_outside_a_scheduler():
    assert active_scheduler() is None
    assert resolve_jobs(None) == 1
    assert resolve_jobs(3) == 3
    assert resolve_jobs(-1) == -1
    with scheduler(None):  # no scheduler: a no-op block
        assert active_scheduler() is None and resolve_jobs(None) == 1


# ------------------------------------------------------------------ the study key
def test_study_run_scheduler_round_trips(tmp_path):
    study = Study.demo().replace(scheduler="local:3")
    assert study.scheduler == "local:3"
    path = tmp_path / "study.toml"
    text = study.to_toml(path)
    assert '[run]\nscheduler = "local:3"' in text
    back = Study.from_toml(path)
    assert back.scheduler == "local:3"
    assert back == study
    assert Study.demo().scheduler is None
    assert "[run]" not in Study.demo().to_toml()
    assert back.replace(scheduler=None).scheduler is None


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ('[run]\nscheduler = "local:0"\n', r"run\.scheduler='local:0'.*positive integer"),
        ("[run]\nscheduler = 4\n", r"run\.scheduler: expected a string"),
        ('[run]\nworkers = "local:2"\n', r"run\.workers.*allowed keys: scheduler"),
    ],
)
def test_study_run_scheduler_errors_name_the_key(tmp_path, table, match):
    path = tmp_path / "study.toml"
    path.write_text("[data]\nexample = true\n\n" + table, encoding="utf-8")
    with pytest.raises(StudyConfigError, match=match) as info:
        Study.from_toml(path)
    assert "study.toml" in str(info.value)


def test_bad_study_scheduler_is_one_line_from_the_command(capsys, tmp_path):
    path = tmp_path / "study.toml"
    path.write_text('[data]\nexample = true\n[run]\nscheduler = "local:zero"\n', "utf-8")
    code, _, err = _run(capsys, "run", str(path), "--out", str(tmp_path / "o"))
    assert code == 1
    assert "run.scheduler='local:zero'" in _one_error_line(err)


# ------------------------------------------------------------------ command-line errors
@pytest.mark.parametrize("command", ["demo", "run", "dea", "sensitivity"])
def test_bad_local_count_is_one_line(capsys, tmp_path, small_csv, command):
    argv = {
        "demo": ["demo", "--no-sensitivity", "--out", str(tmp_path / "o")],
        "run": ["run", str(tmp_path / "s.toml"), "--out", str(tmp_path / "o")],
        "dea": ["dea", str(small_csv), "--inputs", "x1,x2", "--outputs", "y"],
        "sensitivity": ["sensitivity", "demo", "--out", str(tmp_path / "o")],
    }[command]
    Study.demo().to_toml(tmp_path / "s.toml")
    code, _, err = _run(capsys, *argv, "--scheduler", "local:0")
    assert code == 1
    line = _one_error_line(err)
    assert "--scheduler='local:0'" in line and "positive integer" in line
    assert not (tmp_path / "o").exists()  # refused before any work or output


def test_unreachable_scheduler_is_one_line(capsys, small_csv, monkeypatch):
    pytest.importorskip("dask.distributed")
    import dea._parallel

    monkeypatch.setattr(dea._parallel, "CONNECT_TIMEOUT", 1.0)
    address = f"tcp://127.0.0.1:{_free_port()}"
    code, out, err = _run(
        capsys,
        "dea",
        str(small_csv),
        "--inputs",
        "x1,x2",
        "--outputs",
        "y",
        "--scheduler",
        address,
    )
    assert code == 1
    line = _one_error_line(err)
    assert f"--scheduler: cannot reach the Dask scheduler at '{address}'" in line
    assert out == ""


def test_help_names_the_option(capsys):
    for command in ("demo", "run", "dea", "sensitivity"):
        code, out, _ = _run(capsys, command, "--help")
        assert code == 0 and "--scheduler ADDRESS" in out and "local:N" in out


# ------------------------------------------------------------------ a real LocalCluster
def _pid_chunk(chunk):
    return [os.getpid()] * len(chunk)


@pytest.mark.slow
def test_scheduler_block_dispatches_map_chunks_to_worker_processes():
    pytest.importorskip("dask.distributed")
    from joblib.parallel import get_active_backend

    with scheduler("local:2", option="--scheduler") as addr:
        assert addr == "local:2" and active_scheduler() == "local:2"
        assert resolve_jobs(None) == -1
        assert type(get_active_backend()[0]).__name__ == "DaskDistributedBackend"
        with scheduler("tcp://unused:1"):  # nested: the outer cluster is kept, no connect
            assert active_scheduler() == "local:2"
        pids = map_chunks(_pid_chunk, np.arange(200), n_jobs=resolve_jobs(None), chunk_size=50)
    assert active_scheduler() is None
    seen = {p for chunk in pids for p in chunk}
    assert os.getpid() not in seen
    assert 1 <= len(seen) <= 2


def _tables(folder) -> dict[str, bytes]:
    files = sorted((folder / "tables").glob("*.csv"))
    assert files
    return {f.name: f.read_bytes() for f in files}


@pytest.mark.slow
def test_demo_on_local_cluster_writes_identical_tables(capsys, tmp_path):
    pytest.importorskip("dask.distributed")
    serial, dask = tmp_path / "serial", tmp_path / "dask"
    assert _run(capsys, "demo", "--no-sensitivity", "--out", str(serial))[0] == 0
    code, out, err = _run(
        capsys, "demo", "--no-sensitivity", "--out", str(dask), "--scheduler", "local:2"
    )
    assert code == 0, err
    assert "report written to" in out
    assert "INFO" not in err  # the cluster's start/stop chatter stays out
    one, two = _tables(serial), _tables(dask)
    assert "dea_results.csv" in one
    assert one == two


@pytest.mark.slow
def test_sensitivity_and_dea_on_local_cluster_are_identical(capsys, tmp_path, small_csv):
    pytest.importorskip("dask.distributed")
    study = tmp_path / "study.toml"
    Study.demo().replace(sensitivity={"runs": 40, "sobol": 16}).to_toml(study)
    serial, dask = tmp_path / "serial", tmp_path / "dask"
    assert _run(capsys, "sensitivity", str(study), "--out", str(serial))[0] == 0
    # the study's own [run] scheduler, this time (no command-line option)
    with_key = tmp_path / "cluster.toml"
    Study.from_toml(study).replace(scheduler="local:2").to_toml(with_key)
    code, _, err = _run(capsys, "sensitivity", str(with_key), "--out", str(dask))
    assert code == 0, err
    assert _tables(serial) == _tables(dask)

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    base = ["dea", str(small_csv), "--inputs", "x1,x2", "--outputs", "y", "--rts", "crs"]
    assert _run(capsys, *base, "--out", str(a))[0] == 0
    assert _run(capsys, *base, "--out", str(b), "--scheduler", "local:2")[0] == 0
    assert a.read_bytes() == b.read_bytes()
