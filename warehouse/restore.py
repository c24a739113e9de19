"""`make restore [SNAPSHOT=…]`: list the kept snapshots and put one back in place of the published one.

Without SNAPSHOT, the newest kept snapshot is restored (the one published before the current one). The snapshot
replaced is kept in turn, so a restore can be undone with another `make restore SNAPSHOT=…`.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from common.settings import get_settings
from warehouse.connection import restore_snapshot, snapshot_paths


def main(argv: list[str]) -> int:
    snapshot = get_settings().snapshot_db
    kept = snapshot_paths(snapshot)
    print(f"Bản chụp đang công bố: {snapshot}" + ("" if snapshot.exists() else " (chưa có)"))
    print(f"Các bản chụp trước ({len(kept)}, mới nhất trước):")
    for path in kept:
        stat = path.stat()
        print(f"  {path.name}  {stat.st_size / 1e6:8.1f} MB  {datetime.fromtimestamp(stat.st_mtime):%d/%m/%Y %H:%M}")
    chosen = Path(argv[0]) if argv and argv[0] else None
    try:
        restored = restore_snapshot(snapshot, chosen)
    except FileNotFoundError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"Đã khôi phục {restored.name} thành {snapshot} (chỉ đọc); bản vừa thay được giữ trong {restored.parent}.")
    print("Phiên phân tích đang mở vẫn thấy bản cũ: kết nối lại để thấy bản khôi phục.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
