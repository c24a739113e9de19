"""`make restore [SNAPSHOT=…]`: list the kept snapshots and put one back in place of the published one, with its
Parquet files and the web site built from it.

Without SNAPSHOT, the newest kept snapshot is restored (the one published before the current one). The snapshot
replaced is kept in turn, so a restore can be undone with another `make restore SNAPSHOT=…`. The web site is rebuilt
from the restored snapshot, as the asset web_publication builds it: otherwise it would go on showing the publication
the restore was meant to undo.
"""

from __future__ import annotations

import sys
from pathlib import Path

from common.settings import Settings, get_settings, local_time_of, now_local
from warehouse.connection import restore_snapshot, snapshot_paths
from web.site import INTERNAL, PUBLIC, SITE_FOLDER, publish_sites


def rebuild_site(settings: Settings) -> int:
    """The web site from the restored snapshot, where one was published; 1 (and what to do) when it cannot be."""
    folder = settings.reports / SITE_FOLDER
    if not any((folder / name).exists() for name in (PUBLIC, INTERNAL)):
        return 0  # no site was published: nothing shows the publication undone
    try:
        pages = publish_sites(settings.snapshot_db, folder, province=settings.province, generated_at=now_local())
    except Exception as err:  # the restore itself stands; the operator must know the site does not follow it
        print(
            f"KHÔNG dựng lại được trang web {folder} từ bản khôi phục ({type(err).__name__}: {err}). Trang web vẫn hiện "
            f"bản vừa gỡ: tạm gỡ thư mục {folder / PUBLIC} khỏi máy chủ web, rồi dựng lại bằng make ui → Assets → "
            "web_publication → Materialize (đọc từ bản chụp đã khôi phục).",
            file=sys.stderr,
        )
        return 1
    print(
        f"Đã dựng lại trang web từ bản khôi phục: {folder / PUBLIC / 'index.html'} ({len(pages[PUBLIC])} trang), "
        f"bản nội bộ {folder / INTERNAL}."
    )
    return 0


def main(argv: list[str]) -> int:
    settings = get_settings()
    snapshot = settings.snapshot_db
    kept = snapshot_paths(snapshot)
    print(f"Bản chụp đang công bố: {snapshot}" + ("" if snapshot.exists() else " (chưa có)"))
    print(f"Các bản chụp trước ({len(kept)}, mới nhất trước):")
    for path in kept:
        stat = path.stat()
        print(f"  {path.name}  {stat.st_size / 1e6:8.1f} MB  {local_time_of(stat.st_mtime):%d/%m/%Y %H:%M}")
    chosen = Path(argv[0]) if argv and argv[0] else None
    try:
        restored = restore_snapshot(snapshot, chosen)
    except FileNotFoundError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"Đã khôi phục {restored.name} thành {snapshot} (chỉ đọc); bản vừa thay được giữ trong {restored.parent}.")
    print("Phiên phân tích đang mở vẫn thấy bản cũ: kết nối lại để thấy bản khôi phục.")
    return rebuild_site(settings)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
