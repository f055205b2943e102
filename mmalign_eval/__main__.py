"""`python -m mmalign_eval`: the `mmalign-eval` command (what `torchrun ... -m mmalign_eval`
starts on every rank)."""

from mmalign_eval.cli import main

# Guarded: importing every module of the package (as the packaging test does) must not run it.
if __name__ == "__main__":
    main()
