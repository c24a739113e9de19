"""Prepare DAGSTER_HOME (run history of `make run` and `make ui`) with the project's dagster.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

from common.settings import get_settings


def prepare_dagster_home() -> Path:
    home = get_settings().dagster_home
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(__file__).with_name("dagster.yaml"), home / "dagster.yaml")
    return home


if __name__ == "__main__":
    print(f"DAGSTER_HOME={prepare_dagster_home()}")
