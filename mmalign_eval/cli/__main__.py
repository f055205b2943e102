"""`python -m mmalign_eval.cli`: the `mmalign-eval` command (the end-to-end tests run it so)."""

from mmalign_eval.cli import main

# Guarded: importing every module of the package (as the packaging test does) must not run it.
if __name__ == "__main__":
    main()
