"""The one resource every asset uses: where the warehouse, inbox and reports live, and how to open DuckDB."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from common.pii import PiiKeys, check_secret_for_inbox, load_pii_keys
from common.settings import PROJECT_ROOT, get_settings
from warehouse.connection import connect
from warehouse.schema import ensure_schema
from warehouse.tthc import drop_legacy_pseudonyms

# Every asset or check that writes the build file runs in this pool, whose limit is 1 (dagster.yaml):
# DuckDB allows one writing process per file.
WRITER_POOL = "duckdb_writer"


class Warehouse(dg.ConfigurableResource):
    build_db: str
    snapshot_db: str
    inbox: str
    reports: str
    province: str
    # The department whose plan the task steps follow and whose offices are units; empty: the province's Sở KH&CN.
    department_code: str = ""
    # A file holding the secret of the applicant pseudonyms; empty: CCHC_PII_SECRET(_FILE) or the generated default
    # (common/pii.py). A path, never the secret: resource values are shown in the UI.
    pii_secret_file: str = ""

    @classmethod
    def from_settings(cls) -> Warehouse:
        s = get_settings()
        return cls(
            build_db=str(s.build_db),
            snapshot_db=str(s.snapshot_db),
            inbox=str(s.inbox),
            reports=str(s.reports),
            province=s.province,
            department_code=s.department_code,
        )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Every step checks the secret before touching data: the demo secret on real data stops the run here.
        keys = self.pii_keys()
        if keys.created:
            context.log.warning(
                f"Đã tạo khóa bí mật mã hóa số giấy tờ người nộp tại {keys.source} (quyền 0600): sao lưu "
                "tệp này riêng, ngoài thư mục kho dữ liệu (xem README, 'Data safety')."
            )

    def pii_keys(self) -> PiiKeys:
        """The pseudonym keys; refuses the demo secret on an inbox the demo generator did not write."""
        data = tuple(
            Path(p).parent if p.endswith(".duckdb") else Path(p)
            for p in (self.build_db, self.snapshot_db, self.inbox, self.reports)
        )
        keys = load_pii_keys(PROJECT_ROOT, data, self.pii_secret_file)
        check_secret_for_inbox(keys, Path(self.inbox))
        return keys

    def department(self) -> str:
        """Unit code of the department (CCHC_DEPARTMENT_CODE, else the province's Sở KH&CN from the master data); a
        configured code that is not a unit of the province stops the step instead of scoring nobody."""
        from common.units import MasterDataError, department_code, load_units

        code = self.department_code.strip()
        if not code:
            return department_code(self.province)
        if code not in {u.code for u in load_units(self.province)}:
            raise MasterDataError(
                f"CCHC_DEPARTMENT_CODE='{code}' không phải mã cơ quan trong danh mục đơn vị của {self.province}."
            )
        return code

    def issuer(self) -> dict[str, str]:
        """Who a Word scorecard says issues it in its NĐ 30 header: the province and the configured department's name
        (the ``province`` and ``agency`` of documents/par_scorecard.py and dti_scorecard.py)."""
        from common.units import load_units

        code = self.department()
        return {"province": self.province, "agency": next(u.name for u in load_units(self.province) if u.code == code)}

    def inbox_folder(self, name: str) -> Path:
        """The inbox's folder ``name``. The inbox itself missing (a share not mounted, CCHC_INBOX mistyped) stops the
        step, naming it: read as an empty inbox, every file loaded before would look gone."""
        root = Path(self.inbox)
        if not root.is_dir():
            raise dg.Failure(
                description=f"Không thấy thư mục hộp thư đến {root} (ổ chia sẻ chưa được gắn, hoặc CCHC_INBOX đặt sai): "
                "bước này dừng, không nạp gì, để số liệu đã nạp không bị coi là đã rút. Kiểm tra thư mục rồi chạy lại."
            )
        return root / name

    @property
    def work_dir(self) -> Path:
        """Scratch space for normalised copies of odd input files."""
        return Path(self.build_db).parent / "work"

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(Path(self.build_db)) as con:
            ensure_schema(con)
            drop_legacy_pseudonyms(con)
            yield con

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(Path(self.build_db), read_only=True) as con:
            yield con

    @contextmanager
    def read_for_officials(self, output: str, checks: Sequence[str]) -> Iterator[duckdb.DuckDBPyConnection]:
        """``read`` for a workbook officials get (``output``, named in the refusal): refused, as the analysts' snapshot
        is, while a blocking check of any run over the data it reads (``checks``, warehouse/quality_gate.py) holds
        that data back, since it reads the build file and Dagster's blocking holds only within its own run."""
        from warehouse.quality_gate import gate_failures, refusal_text

        with self.read() as con:
            failures = gate_failures(con, checks)
            if failures:
                raise dg.Failure(description=refusal_text(failures, output), metadata={"failed_scopes": len(failures)})
            yield con


class AcceptSmallerConfig(dg.Config):
    """accept_smaller: load a re-delivered register (the catalogue, the publication register, a plan register, a PAKN
    month; a dossier day is taken out with its partition's ``withdraw: true`` instead) even
    though it has less than half the rows of the one in use (by default such a delivery is taken for a cut or partial
    export and refused, the one in use kept: warehouse/landing.py, shrink_problem)."""

    accept_smaller: bool = False
