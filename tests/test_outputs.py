"""Writing outputs: one-line errors for disk full, read-only and not-a-folder, and no
half-written temporary files left behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from mmalign_eval.errors import OutputError, write_error
from mmalign_eval.results import PromptInfo, check_writable, write_json
from mmalign_eval.testing import run_cli


@pytest.mark.parametrize(
    ("code", "hint"),
    [(errno.ENOSPC, "disk is full"), (errno.EROFS, "read-only"), (errno.ENOTDIR, "a file stands"),
     (errno.EACCES, "permission denied"), (errno.EEXIST, "a file stands")],
)  # fmt: skip
def test_write_faults_become_one_line_errors(code: int, hint: str) -> None:
    error = write_error(OSError(code, os.strerror(code), "/out/run/results.json"))
    assert isinstance(error, OutputError) and error.hint is not None and hint in error.hint
    assert error.message.startswith("cannot write /out/run/results.json: ")


def test_other_os_errors_are_not_dressed_up() -> None:
    assert write_error(OSError(errno.EIO, "I/O error")) is None


def test_a_failed_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", dst)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError):
        write_json(tmp_path / "results.json", PromptInfo(template="t", sha256="0"))
    assert list(tmp_path.iterdir()) == []


def test_an_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    with pytest.raises(OutputError, match="Not a directory") as caught:
        check_writable(tmp_path / "taken" / "runs")
    assert caught.value.hint is not None and "a file stands where a folder" in caught.value.hint


def test_run_refuses_an_unwritable_output_folder_before_loading_anything(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder")
    done = run_cli(tmp_path, "run", "--model", "tiny", "--tasks", "pope_random", "--data",
                   "synthetic:2", "--output-dir", "out")  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: cannot write out") and "model tiny" not in done.stderr
