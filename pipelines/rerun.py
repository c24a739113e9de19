"""`make rerun DAY=…`: refuse, in one line, a day that is not a daily partition before Dagster is started.

Without it `dagster job execute` runs any tag it is given: a future day loads a 'missing' export and dates the quality
workbook in the future, a day written 20/11/2026 ends in a long traceback. Imports no Dagster: answers at once."""

from __future__ import annotations

import sys
from datetime import date

from common.settings import business_today, daily_partition_problem, get_settings


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].strip():
        print("Cho biết ngày cần chạy lại: make rerun DAY=2026-11-20", file=sys.stderr)
        return 2
    problem = daily_partition_problem(argv[0], date.fromisoformat(get_settings().start_date), business_today())
    if problem:
        print(problem, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
