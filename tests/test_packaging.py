"""A non-editable install ships the benchmark adapters and finds them without the repo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from mmalign_eval.registry import build_registry

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_non_editable_install_finds_tasks(tmp_path: Path) -> None:
    target = tmp_path / "site"
    # From a copy without build outputs: a stale build/ folder would ship deleted modules.
    source = tmp_path / "source"
    skip = shutil.ignore_patterns(".git", ".venv", "build", "results", "*.egg-info", "__pycache__")
    shutil.copytree(REPO, source, ignore=skip)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(source)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    assert (target / "mmalign_eval_tasks" / "hallucination" / "pope" / "task.py").is_file()
    # The shipped leaderboard is package data too (found by `leaderboard show hallucination`).
    assert (target / "mmalign_eval_leaderboards" / "hallucination.json").is_file()
    judge = target / "mmalign_eval_tasks" / "hallucination" / "mmhal_bench" / "judge_v1.txt"
    assert judge.is_file() and (target / "mmalign_eval" / "py.typed").is_file()
    # Every module of the package is imported from the installed copy. `-S` keeps the
    # editable install's import hook (a .pth file) away, which would otherwise supply any
    # subpackage missing from the install; the dependencies come from site-packages.
    probe = (
        "import json, pkgutil, sys, mmalign_eval_tasks, mmalign_eval;"
        "[__import__(m.name) for m in pkgutil.walk_packages(mmalign_eval.__path__, 'mmalign_eval.')"
        " if not m.name.endswith('.cli')];"
        "from mmalign_eval.registry import build_registry;"
        "r = build_registry();"
        "print(mmalign_eval_tasks.__file__);"
        "print(mmalign_eval.__file__);"
        "print(','.join(sorted(r.tasks)));"
        "print(json.dumps(sorted({m.__file__ for n, m in sys.modules.items()"
        " if n.startswith('mmalign_eval') and getattr(m, '__file__', None)})))"
    )
    path = os.pathsep.join([str(target), sysconfig.get_paths()["purelib"]])
    env = {**os.environ, "PYTHONPATH": path}
    out = subprocess.run(
        [sys.executable, "-S", "-c", probe], cwd=tmp_path, env=env, check=True,
        capture_output=True, text=True,
    ).stdout.splitlines()  # fmt: skip
    assert out[0].startswith(str(target)), "tasks must come from the installed copy"
    assert out[1].startswith(str(target))
    files = [f for f in json.loads(out[3]) if not f.startswith(str(target))]
    assert not files, f"modules outside the installed copy: {files}"
    expected = {"mmhal_bench", "pope_adversarial", "pope_popular", "pope_random"}
    expected |= {f"amber_{k}" for k in ("generative", "discriminative", "existence", "attribute")}
    assert set(out[2].split(",")) >= expected | {"amber_relation"}
    # Every task the source tree registers is in the installed copy: no package list to forget.
    assert out[2].split(",") == sorted(build_registry().tasks)
