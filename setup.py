"""Package discovery: every module of the library and every benchmark folder under tasks/
(installed as mmalign_eval_tasks) ships, without a package list to keep in sync."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["mmalign_eval", "mmalign_eval.*"]),
        "mmalign_eval_tasks",
        *(f"mmalign_eval_tasks.{name}" for name in find_packages("tasks")),
        "mmalign_eval_leaderboards",
    ]
)
