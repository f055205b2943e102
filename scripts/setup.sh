#!/usr/bin/env bash
# Create .venv and install mmalign-eval with its development tools (idempotent).
# TORCH_SPEC picks the torch build: the default pin takes a local CPU wheel where one exists;
# set e.g. TORCH_SPEC="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu126" for CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
pip_install() { .venv/bin/python -m pip install -q --disable-pip-version-check "$@"; }
# shellcheck disable=SC2086
pip_install ${TORCH_SPEC:-torch==2.13.0}
pip_install -e ".[dev]"
.venv/bin/python -c "import mmalign_eval, torch, transformers; print('mmalign-eval', mmalign_eval.__version__, '| torch', torch.__version__, '| transformers', transformers.__version__)"
