"""The portal collector against a real HTTP server on 127.0.0.1 that answers with hand-written responses
(tests/portal_api/, from portal-api.md) and records every request: request bodies per period, paging merged,
retries and their backoff, every failure leaving the inbox untouched, the Dagster asset, its job and schedule."""

import json
import threading
import time
from collections import defaultdict
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from common.periods import parse_period
from common.units import matcher_for
from scoring.qd766 import methodology_for
from sources.portal_capture import (
    MAX_FAILURES_IN_A_ROW,
    capture_periods,
    collect,
    failure_report,
    save_capture,
)
from sources.portal_client import API_PATH, ENDPOINTS, PortalBlocked, PortalClient, PortalError, portal_period
from sources.portal_qd766 import read_snapshot
from tests.conftest import warehouse_in

FIXTURES = Path(__file__).parent / "portal_api"
ROOT_ID = "019d2be3-6a88-732b-8b25-68dfdcdcff0e"  # Thái Nguyên in masterdata/portal_provinces.csv
CAPTURED = datetime(2026, 10, 3, 8, 15, 42)
HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Hệ thống đang bảo trì</title></head>"
    "<body><h1>Cổng Dịch vụ công quốc gia đang nâng cấp</h1></body></html>"
).encode()


def fixture(endpoint: str, page: int = 1) -> bytes:
    name = f"{endpoint}.page{page}.json" if endpoint == "dossier-digitized" else f"{endpoint}.json"
    return (FIXTURES / name).read_bytes()


class FakePortal:
    """The evaluation API on an ephemeral port. ``faults[endpoint]`` are used one per call before the endpoint answers
    normally again: ("sleep", seconds) delays the answer; ("cut",) sends the headers and half of the answer, then
    closes the connection; ("trickle", seconds) sends the answer a byte at a time, ``seconds`` apart; (status,
    content type, body[, headers]) replaces it."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.faults: dict[str, list[tuple]] = defaultdict(list)
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint = self.path.removeprefix(API_PATH)
                portal.calls.append((self.path, body))
                fault = portal.faults[endpoint].pop(0) if portal.faults[endpoint] else None
                if fault and fault[0] == "sleep":  # ("sleep", s, "trickle", t): the portal computes, then trickles
                    time.sleep(fault[1])
                    fault = fault[2:] or None
                if fault and fault[0] in ("cut", "trickle"):
                    content = portal.answer(endpoint, body)[2]
                    try:
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(content)))
                        self.end_headers()
                        if fault[0] == "cut":  # the connection lost in the middle of the answer
                            self.wfile.write(content[: len(content) // 2])
                        else:  # a server that keeps sending, slowly: every read is quick, the answer never ends
                            for byte in content:
                                self.wfile.write(bytes([byte]))
                                self.wfile.flush()
                                time.sleep(fault[1])
                        self.wfile.flush()
                        self.close_connection = True
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                status, ctype, content, headers = (*fault, {})[:4] if fault else portal.answer(endpoint, body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(content)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(content)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def answer(endpoint: str, body: dict) -> tuple[int, str, bytes, dict]:
        if endpoint not in ENDPOINTS:
            return 404, "application/json", b'{"code": "NOT_FOUND"}', {}
        return 200, "application/json; charset=utf-8", fixture(endpoint, body.get("currentPage", 1)), {}

    def bodies(self, endpoint: str) -> list[dict]:
        return [body for path, body in self.calls if path == API_PATH + endpoint]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def portal():
    server = FakePortal()
    yield server
    server.close()


def client_for(portal: FakePortal, sleeps: list | None = None, **options) -> PortalClient:
    settings = {"timeout": 10.0, "retries": 2, "backoff": 1.0, "delay": 0.0} | options
    return PortalClient(
        portal.url, ROOT_ID, sleep=(sleeps.append if sleeps is not None else lambda s: None), now=lambda: CAPTURED, **settings
    )


def folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.fixture
def earlier(tmp_path) -> Path:
    """An inbox/portal folder holding a capture of an earlier quarter."""
    folder = tmp_path / "inbox" / "portal"
    folder.mkdir(parents=True)
    (folder / "dvc-progress-tree_2026-Q2_20260701T0530.request.json").write_text('{"period": "2026-Q2"}\n')
    (folder / "dvc-progress-tree_2026-Q2_20260701T0530.json").write_bytes(fixture("dvc-progress-tree"))
    return folder


def year_body(**extra) -> dict:
    return {"timeType": "year", "year": 2026, "rootDepartmentId": ROOT_ID, **extra}


PAGE = {"pageSize": 200}


@pytest.mark.parametrize(
    ("label", "period_fields", "bounds"),
    [
        ("2026-Y", {"timeType": "year", "year": 2026}, ("2026-01-01", "2026-12-31")),
        ("2026-Q3", {"timeType": "quarter", "year": 2026, "quarter": 3}, ("2026-07-01", "2026-09-30")),
        ("2026-M10", {"timeType": "month", "year": 2026, "month": 10}, ("2026-10-01", "2026-10-31")),
    ],
)
def test_all_six_endpoints_fetched_with_the_right_request_bodies(portal, tmp_path, label, period_fields, bounds):
    folder = tmp_path / "portal"
    with client_for(portal) as client:
        result = collect(client, folder, [portal_period(label)], province="Thái Nguyên")
    assert result.ok and len(result.saved) == 6 and not result.skipped

    timed = {**period_fields, "rootDepartmentId": ROOT_ID}
    for endpoint in ("dvc-progress-tree", "provide-online-tree", "formality-online-payment-tree"):
        assert portal.bodies(endpoint) == [timed]
    assert portal.bodies("transparency") == [{**timed, "currentPage": 1, **PAGE}]
    assert portal.bodies("handling-satisfaction") == [
        {"fromDate": bounds[0], "toDate": bounds[1], "rootDepartmentId": ROOT_ID, "currentPage": 1, **PAGE}
    ]
    assert portal.bodies("dossier-digitized") == [{**timed, "currentPage": 1, **PAGE}, {**timed, "currentPage": 2, **PAGE}]
    assert len(portal.calls) == 7  # sequential, one call per page, nothing repeated

    files = folder_state(folder)
    stem = f"_{label}_20261003T0815"
    assert sorted(files) == sorted([f"{e}{stem}.json" for e in ENDPOINTS] + [f"{e}{stem}.request.json" for e in ENDPOINTS])
    for endpoint in [e for e in ENDPOINTS if e != "dossier-digitized"]:  # one page: saved byte for byte as received
        assert files[f"{endpoint}{stem}.json"] == fixture(endpoint)


def test_pages_merged_into_one_answer_with_its_sidecar(portal, tmp_path):
    with client_for(portal) as client:
        capture = client.fetch("dossier-digitized", parse_period("2026-Q3"))
    saved = save_capture(tmp_path, capture, "Thái Nguyên", ROOT_ID)
    merged = json.loads(saved.response.read_bytes())
    page1, page2 = (json.loads(fixture("dossier-digitized", p)) for p in (1, 2))
    assert [row["stt"] for row in merged["data"]["evaluation"]] == [1, 2, 3]
    assert merged["data"]["evaluation"] == page1["data"]["evaluation"] + page2["data"]["evaluation"]
    assert merged["data"]["pagination"] == {"currentPage": 1, "pageSize": 3, "total": 3, "totalPages": 1}
    assert {k: v for k, v in merged.items() if k != "data"} == {"code": "OK", "message": "Thành công"}
    assert merged["data"]["overview"] == page1["data"]["overview"] and merged["data"]["source"] == page1["data"]["source"]
    metric = merged["data"]["evaluation"][0]["metrics"][-1]
    assert metric["code"] == "ELECTRONIC_CERTIFIED_COPY" and metric["numerator"] is None and metric["score"] == 2.0

    quarter = {"timeType": "quarter", "year": 2026, "quarter": 3, "rootDepartmentId": ROOT_ID}
    assert saved.sidecar.name == "dossier-digitized_2026-Q3_20261003T0815.request.json"
    assert json.loads(saved.sidecar.read_text(encoding="utf-8")) == {
        "endpoint": "dossier-digitized",
        "period": "2026-Q3",
        "captured_at": "2026-10-03T08:15:42",
        "url": f"{portal.url}/api/v1/reporting/evaluation/dossier-digitized",
        "requests": [{**quarter, "currentPage": 1, **PAGE}, {**quarter, "currentPage": 2, **PAGE}],
        "pages": 2,
        "http_status": 200,
        "province": "Thái Nguyên",
        "root_department_id": ROOT_ID,
        "collector": "cchc-portal-collector/1",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == [saved.response.name, saved.sidecar.name]  # no temporary file


def test_capture_of_the_same_minute_is_never_overwritten(portal, earlier):
    with client_for(portal) as client:
        first = collect(client, earlier, [parse_period("2026-Q3")], ["transparency"], province="Thái Nguyên")
        before = folder_state(earlier)
        again = collect(client, earlier, [parse_period("2026-Q3")], ["transparency"], province="Thái Nguyên")
    assert len(first.saved) == 1 and again.ok and not again.saved
    assert [s.response.name for s in again.skipped] == ["transparency_2026-Q3_20261003T0815.json"]
    assert folder_state(earlier) == before


def test_timeout_retried_then_succeeding(portal, earlier):
    portal.faults["dvc-progress-tree"] = [("sleep", 2.5)]
    sleeps: list[float] = []
    with client_for(portal, sleeps, timeout=1.0, backoff=0.5) as client:
        capture = client.fetch("dvc-progress-tree", parse_period("2026-Y"))
    assert capture.body == fixture("dvc-progress-tree") and capture.pages == 1
    assert portal.bodies("dvc-progress-tree") == [year_body(), year_body()]
    assert [s for s in sleeps if s] == [0.5]  # the backoff before the retry


@pytest.mark.slow
def test_timeout_failing_for_good_writes_nothing(portal, earlier):
    portal.faults["dvc-progress-tree"] = [("sleep", 2.5), ("sleep", 2.5)]
    before = folder_state(earlier)
    with client_for(portal, timeout=1.0, retries=1) as client:
        result = collect(client, earlier, [parse_period("2026-Y")], ["dvc-progress-tree"], province="Thái Nguyên")
    [error] = result.failures
    assert error.kind == "network" and not result.saved
    assert "không trả lời trong 1 giây, sau 2 lần thử" in str(error)
    assert "Tiến độ giải quyết (dvc-progress-tree), kỳ Năm 2026 (2026-Y)" in str(error)
    assert len(portal.calls) == 2
    assert folder_state(earlier) == before


def test_http_500_retried_with_exponential_backoff_then_success(portal, earlier):
    portal.faults["transparency"] = [(500, "text/plain", b"Internal Server Error"), (503, "text/plain", b"")]
    sleeps: list[float] = []
    with client_for(portal, sleeps, backoff=1.0, delay=0.25) as client:
        result = collect(client, earlier, [parse_period("2026-Y")], ["transparency"], province="Thái Nguyên")
    assert result.ok and len(result.saved) == 1
    assert sleeps == [1.0, 0.25, 2.0, 0.25]  # backoff doubling, each followed by the pause before every call
    assert result.saved[0].response.read_bytes() == fixture("transparency")


def test_http_500_for_good(portal, earlier):
    portal.faults["transparency"] = [(502, "text/html", b"<html>Bad Gateway</html>")] * 3
    before = folder_state(earlier)
    with client_for(portal) as client, pytest.raises(PortalError) as caught:
        client.fetch("transparency", parse_period("2026-Y"))
    assert caught.value.kind == "server" and "HTTP 502" in str(caught.value) and "sau 3 lần thử" in str(caught.value)
    assert folder_state(earlier) == before


def json_answer(payload: dict) -> tuple:
    return 200, "application/json", json.dumps(payload, ensure_ascii=False).encode()


@pytest.mark.parametrize("code", [200, "200", 0, "0", "SUCCESS", "ok", None])
def test_ok_codes_accepted(portal, tmp_path, code):
    """The codes the reader of saved answers takes ('SUCCESS', any letter case, none at all) were refused by the
    collector as errors ("mã lỗi None"): one rule for both (sources/portal_format.is_ok_code)."""
    payload = json.loads(fixture("provide-online-tree")) | {"code": code}
    if code is None:
        del payload["code"]
    portal.faults["provide-online-tree"] = [json_answer(payload)]
    with client_for(portal) as client:
        assert client.fetch("provide-online-tree", parse_period("2026-M10")).rows == 3


def test_json_error_code_is_an_error_carrying_its_message(portal, earlier):
    portal.faults["handling-satisfaction"] = [
        json_answer({"code": "ERR_INVALID_PARAM", "message": "Không tìm thấy đơn vị gốc", "data": None})
    ]
    before = folder_state(earlier)
    with client_for(portal) as client, pytest.raises(PortalError) as caught:
        client.fetch("handling-satisfaction", parse_period("2026-Q3"))
    assert caught.value.kind == "code" and not isinstance(caught.value, PortalBlocked)
    assert "'ERR_INVALID_PARAM'" in str(caught.value) and "Không tìm thấy đơn vị gốc" in str(caught.value)
    assert "CCHC_PORTAL_ROOT_ID" in str(caught.value)
    assert len(portal.calls) == 1 and folder_state(earlier) == before


@pytest.mark.parametrize(
    ("answer", "kind", "words"),
    [
        ((200, "text/html; charset=utf-8", HTML_PAGE), "html", "«Hệ thống đang bảo trì»"),
        ((200, "application/json", b'{"code": "OK", "data": '), "not_json", "không phải JSON"),
        ((200, "application/json", b"[1, 2]"), "not_json", "không phải đối tượng"),
    ],
)
def test_html_page_or_broken_json_with_status_200(portal, earlier, answer, kind, words):
    portal.faults["dvc-progress-tree"] = [answer]
    before = folder_state(earlier)
    with client_for(portal) as client:
        result = collect(
            client, earlier, [parse_period("2026-Q3")], ["dvc-progress-tree", "transparency"], province="Thái Nguyên"
        )
    [error] = result.failures
    assert error.kind == kind and words in str(error) and "dvc-progress-tree" in str(error)
    assert len(portal.bodies("dvc-progress-tree")) == 1  # an answer that came is not retried
    assert [s.response.name for s in result.saved] == ["transparency_2026-Q3_20261003T0815.json"]
    after = folder_state(earlier)
    assert {n: after[n] for n in before} == before and len(after) == len(before) + 2


def test_fewer_rows_than_the_portal_total_is_an_error(portal, earlier):
    payload = json.loads(fixture("transparency"))
    payload["data"]["pagination"]["total"] = 4
    portal.faults["transparency"] = [json_answer(payload)]
    before = folder_state(earlier)
    with client_for(portal) as client, pytest.raises(PortalError) as caught:
        client.fetch("transparency", parse_period("2026-Q3"))
    assert caught.value.kind == "incomplete" and "4 đơn vị" in str(caught.value) and "3 dòng" in str(caught.value)
    assert folder_state(earlier) == before


@pytest.mark.parametrize("status", [429, 403])
def test_429_or_403_stops_the_whole_run_at_once(portal, earlier, status):
    portal.faults["provide-online-tree"] = [
        (status, "application/json", b'{"message": "Too Many Requests"}', {"Retry-After": "3600"})
    ]
    before = folder_state(earlier)
    with client_for(portal) as client:
        result = collect(client, earlier, [parse_period("2026-Q3"), parse_period("2026-M10")], province="Thái Nguyên")
    [error] = result.failures
    assert isinstance(error, PortalBlocked) and f"HTTP {status}" in str(error) and "3600 giây" in str(error)
    assert "không thử lại" in str(error)
    assert [path.removeprefix(API_PATH) for path, _ in portal.calls] == ["dvc-progress-tree", "provide-online-tree"]
    assert len(result.not_attempted) == 10 and result.not_attempted[0] == ("formality-online-payment-tree", "2026-Q3")
    after = folder_state(earlier)
    assert {n: after[n] for n in before} == before
    assert sorted(set(after) - set(before)) == [
        "dvc-progress-tree_2026-Q3_20261003T0815.json",
        "dvc-progress-tree_2026-Q3_20261003T0815.request.json",
    ]
    report = failure_report(result)
    assert "1 ảnh chụp đã lưu" in report and "Chưa gọi: formality-online-payment-tree 2026-Q3" in report


def test_portal_unreachable_stops_after_a_few_calls(tmp_path):
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{closed.server_port}"
    closed.server_close()  # nothing listens on that port any more
    sleeps: list[float] = []
    with PortalClient(url, ROOT_ID, retries=1, backoff=2.0, delay=0.0, sleep=sleeps.append, now=lambda: CAPTURED) as client:
        result = collect(client, tmp_path / "portal", [parse_period("2026-Q3")], province="Thái Nguyên")
    assert len(result.failures) == MAX_FAILURES_IN_A_ROW and all(e.kind == "network" for e in result.failures)
    assert "không kết nối được" in str(result.failures[0]) and "Connection refused" in str(result.failures[0])
    assert len(result.not_attempted) == 6 - MAX_FAILURES_IN_A_ROW and "dừng" in result.stopped
    assert [s for s in sleeps if s] == [2.0] * MAX_FAILURES_IN_A_ROW
    assert not (tmp_path / "portal").exists() or not any((tmp_path / "portal").iterdir())


@pytest.mark.parametrize(
    ("today", "labels"),
    [
        (date(2026, 10, 3), ["2026-Y", "2026-Q4", "2026-M10", "2026-M09", "2026-Q3"]),
        (date(2026, 10, 10), ["2026-Y", "2026-Q4", "2026-M10", "2026-M09", "2026-Q3"]),
        (date(2026, 10, 11), ["2026-Y", "2026-Q4", "2026-M10"]),
        (date(2026, 5, 6), ["2026-Y", "2026-Q2", "2026-M05", "2026-M04"]),
        (date(2026, 1, 5), ["2026-Y", "2026-Q1", "2026-M01", "2025-M12", "2025-Q4", "2025-Y"]),
        (date(2026, 1, 11), ["2026-Y", "2026-Q1", "2026-M01"]),
    ],
)
def test_periods_captured_by_default(today, labels):
    assert [p.label for p in capture_periods(today)] == labels


def test_only_portal_periods_accepted():
    assert portal_period(" 2026-M03 ").label == "2026-M03"
    for label in ("2026-H1", "2026-13", "Q3-2026"):
        with pytest.raises(ValueError, match="2026-M03"):
            portal_period(label)


def _portal_resource(portal: FakePortal):
    from assets.portal_capture import PortalApi

    return PortalApi(base_url=portal.url, timeout=10.0, retries=0, backoff=0.0, delay=0.0)


@pytest.mark.slow
def test_asset_captures_then_snapshot_asset_loads_them(portal, tmp_path):
    from assets.portal_capture import qd766_portal_capture
    from assets.qd766 import qd766_portal_snapshots
    from common.units import matcher_for
    from warehouse.qd766 import read_snapshots

    warehouse = warehouse_in(tmp_path)
    config = {"ops": {"qd766_portal_capture": {"config": {"periods": ["2026-Q3"]}}}}
    result = dg.materialize(
        [qd766_portal_capture], resources={"warehouse": warehouse, "portal": _portal_resource(portal)}, run_config=config
    )
    assert result.success
    [materialization] = result.asset_materializations_for_node("qd766_portal_capture")
    assert materialization.metadata["captures_written"].value == 6
    assert "dossier-digitized_2026-Q3_" in materialization.metadata["files_written"].value
    assert all(body["rootDepartmentId"] == ROOT_ID for _, body in portal.calls)

    folder = Path(warehouse.inbox) / "portal"
    answers = read_snapshots(folder, matcher_for("Thái Nguyên"))  # the sidecars are read beside their answers
    assert sorted(s.endpoint for s in answers) == sorted(ENDPOINTS)
    assert all(s.usable and s.period_label == "2026-Q3" and s.capture_source == "sidecar" for s in answers)
    assert {i.rule for s in answers for i in s.issues if i.blocking} == set()

    loaded = dg.materialize([qd766_portal_snapshots], resources={"warehouse": warehouse})
    assert loaded.success
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        files = con.execute("SELECT DISTINCT file_name FROM portal_qd766_node ORDER BY 1").fetchall()
        units = con.execute("""SELECT DISTINCT unit_code FROM portal_qd766_node
                               WHERE role = 'unit' AND file_name LIKE 'transparency%' ORDER BY 1""").fetchall()
    assert [f for (f,) in files] == sorted(s.file_name for s in answers)
    assert units == [("05443",), ("05665",), ("19.SNV",)]  # matched by name: transparency rows carry no code


def test_asset_saves_what_it_can_then_fails_listing_every_failure(portal, tmp_path):
    from assets.portal_capture import qd766_portal_capture

    portal.faults["handling-satisfaction"] = [(500, "text/plain", b"down")]
    portal.faults["dossier-digitized"] = [json_answer({"code": 500, "message": "Lỗi truy vấn báo cáo", "data": None})]
    warehouse = warehouse_in(tmp_path)
    config = {"ops": {"qd766_portal_capture": {"config": {"periods": ["2026-M09"]}}}}
    result = dg.materialize(
        [qd766_portal_capture],
        resources={"warehouse": warehouse, "portal": _portal_resource(portal)},
        run_config=config,
        raise_on_error=False,
    )
    assert not result.success
    [failure] = result.get_step_failure_events()
    message = failure.step_failure_data.user_failure_data.description
    assert "4 ảnh chụp đã lưu" in message and "2 lần gọi lỗi" in message
    assert "handling-satisfaction" in message and "HTTP 500" in message and "Lỗi truy vấn báo cáo" in message
    saved = sorted(p.name for p in (Path(warehouse.inbox) / "portal").glob("*_2026-M09_*[0-9].json"))
    assert [n.split("_")[0] for n in saved] == sorted(
        ["dvc-progress-tree", "provide-online-tree", "formality-online-payment-tree", "transparency"]
    )


def test_asset_refuses_a_bad_period_before_calling(portal, tmp_path):
    from assets.portal_capture import qd766_portal_capture

    result = dg.materialize(
        [qd766_portal_capture],
        raise_on_error=False,
        resources={"warehouse": warehouse_in(tmp_path), "portal": _portal_resource(portal)},
        run_config={"ops": {"qd766_portal_capture": {"config": {"periods": ["2026-H1"]}}}},
    )
    assert not result.success and portal.calls == []


def test_capture_has_its_own_stopped_schedule_and_stays_out_of_other_jobs(tmp_path):
    from pipelines.definitions import defs
    from pipelines.sensors import _other_sources

    schedule = defs.resolve_schedule_def("portal_capture_0530")
    assert schedule.cron_schedule == "30 5 * * *" and schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED and schedule.job_name == "portal_capture"
    capture = dg.AssetKey("qd766_portal_capture")
    graph = defs.resolve_asset_graph()
    jobs = [job for job in defs.resolve_all_job_defs() if not job.name.startswith("__")]  # not the UI's own asset job
    assert {job.name for job in jobs if capture in job.asset_layer.selected_asset_keys} == {"portal_capture"}
    assert defs.resolve_job_def("portal_capture").asset_layer.selected_asset_keys == {capture}
    # make run: the daily job, the period jobs and the blank forms, none of which may call the portal
    assert capture not in defs.resolve_job_def("daily_tthc").asset_layer.selected_asset_keys
    assert graph.get(capture).group_name == "portal_capture"  # a group of its own: no other job selects it

    # The sensor reloads the portal sources on a new answer; the sidecar written just before it triggers nothing.
    folder = tmp_path / "portal"
    folder.mkdir()
    (folder / "transparency_2026-Q3_20261003T0815.request.json").write_text("{}")
    assert _other_sources(tmp_path) == {}
    (folder / "transparency_2026-Q3_20261003T0815.json").write_bytes(fixture("transparency"))
    assert list(_other_sources(tmp_path)) == ["portal/transparency_2026-Q3_20261003T0815.json"]


def test_a_page_repeating_another_is_not_a_complete_answer(portal, earlier):
    """The portal re-sorting while it is paged repeats rows of one page on the next: the rows add up to the total, the
    departments do not; nothing is saved (the saved answer had half the units and said it was complete)."""
    payload = json.loads(fixture("transparency"))
    rows = payload["data"]["evaluation"]
    payload["data"]["evaluation"] = rows + rows
    payload["data"]["pagination"]["total"] = 2 * len(rows)
    portal.faults["transparency"] = [json_answer(payload)]
    before = folder_state(earlier)
    with client_for(portal) as client, pytest.raises(PortalError) as caught:
        client.fetch("transparency", parse_period("2026-Q3"))
    assert caught.value.kind == "incomplete" and f"({len(rows)} đơn vị khác nhau)" in str(caught.value)
    assert folder_state(earlier) == before


def test_merging_pages_keeps_a_key_a_row_writes_twice_for_the_reader_to_report(portal, tmp_path):
    """Merging pages re-wrote the rows through json.dumps: a unit's field written twice with two values lost one of
    them, silently, before anyone could see the ambiguity. Both are written again; the reader then reports it."""
    page2 = fixture("dossier-digitized", 2).decode("utf-8")
    row = '"departmentCode": "H55.05665",'
    assert page2.count(row) == 1
    page2 = page2.replace(row, row + ' "totalScore": 7.9,')  # Văn Lăng's score twice: 7.9, then 7.8
    portal.faults["dossier-digitized"] = [
        (200, "application/json", fixture("dossier-digitized", 1)),
        (200, "application/json", page2.encode("utf-8")),
    ]
    with client_for(portal) as client:
        capture = client.fetch("dossier-digitized", parse_period("2026-Q3"))
    saved = save_capture(tmp_path, capture, "Thái Nguyên", ROOT_ID)
    text = saved.response.read_text(encoding="utf-8")
    assert '"totalScore": 7.9' in text and '"totalScore": 7.8' in text
    assert [r["stt"] for r in json.loads(text)["data"]["evaluation"]] == [1, 2, 3]
    snap = read_snapshot(saved.response, methodology_for(date(2026, 7, 1)), matcher_for("Thái Nguyên"))
    conflicts = [i for i in snap.issues if i.rule == "conflicting_metric"]
    assert snap.usable and [(i.field, i.department) for i in conflicts] == [("totalScore", "H55.05665")]
    assert "7.9 và 7.8" in conflicts[0].reason


def test_a_period_not_begun_is_not_asked_of_the_portal(portal, earlier):
    """Its answer could not describe it (the reader refuses a capture made before its period)."""
    with client_for(portal) as client:
        result = collect(client, earlier, [parse_period("2026-Q4"), parse_period("2026-M11")], ["transparency"], province="x")
    assert [e.kind for e in result.failures] == ["period"] and "01/11/2026" in str(result.failures[0])
    assert len(result.saved) == 1 and result.saved[0].response.name.startswith("transparency_2026-Q4_")
    assert [body["year"] for body in portal.bodies("transparency")] == [2026]


def test_a_connection_cut_in_the_middle_of_the_answer_is_retried(portal, earlier):
    """A connection lost while the answer came (requests' ChunkedEncodingError) was not retried and was reported as a
    wrong address ('Kiểm tra địa chỉ CCHC_PORTAL_URL'): it is a lost connection, retried like a timeout."""
    portal.faults["dvc-progress-tree"] = [("cut",)]
    sleeps: list[float] = []
    with client_for(portal, sleeps, backoff=0.5) as client:
        capture = client.fetch("dvc-progress-tree", parse_period("2026-Y"))
    assert capture.body == fixture("dvc-progress-tree") and portal.bodies("dvc-progress-tree") == [year_body(), year_body()]
    assert [s for s in sleeps if s] == [0.5]
    portal.faults["dvc-progress-tree"] = [("cut",)] * 2
    with client_for(portal, retries=1) as client, pytest.raises(PortalError) as caught:
        client.fetch("dvc-progress-tree", parse_period("2026-Y"))
    assert caught.value.kind == "network" and caught.value.transient
    assert "bị ngắt giữa chừng" in str(caught.value) and "sau 2 lần thử" in str(caught.value)
    assert "CCHC_PORTAL_URL" not in str(caught.value)


def test_the_timeout_bounds_the_whole_answer_not_each_read(portal, earlier):
    """requests' timeout bounds each socket read: a server sending its answer a byte at a time kept a call with a 1 s
    CCHC_PORTAL_TIMEOUT open for as long as the answer took (9 s seen). The whole answer must come within the
    timeout; past it the call is a timeout, retried."""
    portal.faults["dvc-progress-tree"] = [("trickle", 0.005)]  # about 7 s for the answer, every byte well within 1 s
    sleeps: list[float] = []
    started = time.monotonic()
    with client_for(portal, sleeps, timeout=1.0, backoff=0.5) as client:
        capture = client.fetch("dvc-progress-tree", parse_period("2026-Y"))
    assert time.monotonic() - started < 4
    assert capture.body == fixture("dvc-progress-tree") and portal.bodies("dvc-progress-tree") == [year_body(), year_body()]
    assert [s for s in sleeps if s] == [0.5]  # the backoff before the retry
    portal.faults["dvc-progress-tree"] = [("trickle", 0.005)] * 2
    with client_for(portal, timeout=1.0, retries=1) as client, pytest.raises(PortalError) as caught:
        client.fetch("dvc-progress-tree", parse_period("2026-Y"))
    assert caught.value.kind == "network" and "không trả lời trong 1 giây, sau 2 lần thử" in str(caught.value)


def test_a_slow_portal_computing_its_answer_then_sending_it_steadily_is_not_cut(portal, earlier):
    """The deadline counted the portal's computing time too: 1.2 s before the headers and 0.5 s of steady body failed
    every attempt with a 1.5 s timeout (a year-to-date answer computed in ~50 s failed with the default 60 s). The
    computing time is bounded by each read's timeout, the body by the timeout once the headers came."""
    portal.faults["dvc-progress-tree"] = [("sleep", 1.2, "trickle", 0.0003)]
    with client_for(portal, timeout=1.5, retries=0) as client:
        capture = client.fetch("dvc-progress-tree", parse_period("2026-Y"))
    assert capture.body == fixture("dvc-progress-tree") and portal.bodies("dvc-progress-tree") == [year_body()]


def _empty_tree() -> dict:
    payload = json.loads(fixture("dvc-progress-tree"))
    payload["data"]["children"] = []
    return payload


def _empty_evaluation() -> dict:
    payload = json.loads(fixture("transparency"))
    payload["data"]["evaluation"] = []
    payload["data"]["pagination"] |= {"currentPage": 1, "total": 0, "totalPages": 0}
    return payload


@pytest.mark.parametrize(
    ("endpoint", "answer", "words"),
    [("dvc-progress-tree", _empty_tree, "data.children rỗng"), ("transparency", _empty_evaluation, "data.evaluation rỗng")],
)
def test_an_answer_without_units_writes_nothing_and_is_no_failure_of_the_run(portal, earlier, endpoint, answer, words):
    """An answer with no units (empty children, or an evaluation with total 0) was saved as a successful capture, which
    the reader then refused (no_units). Nothing is written, the portal said to have no data yet: the state of a period
    just begun, so not a failure of the run (it was red, with an alert, every first of the month)."""
    portal.faults[endpoint] = [json_answer(answer())]
    before = folder_state(earlier)
    with client_for(portal) as client:
        result = collect(client, earlier, [parse_period("2026-Q3")], [endpoint], province="Thái Nguyên")
    [error] = result.not_computed
    assert result.ok and not result.failures and not result.saved and folder_state(earlier) == before
    assert error.kind == "empty" and not error.transient and len(portal.bodies(endpoint)) == 1
    assert all(w in str(error) for w in ("chưa có số liệu", words, "chạy lại sau", "Không lưu gì"))


@pytest.mark.parametrize(
    "payload",
    [
        {
            "timestamp": "2026-10-03T08:15:42",
            "status": 401,
            "error": "Unauthorized",
            "message": "Full authentication is required",
        },
        {"code": "OK", "message": "Phiên đăng nhập hết hạn", "data": None},
    ],
)
def test_a_refusal_of_access_with_status_200_says_to_sign_in_and_gives_the_portals_words(portal, earlier, payload):
    """Spring's 401 body, or an OK code with no data and a session message, sent with HTTP 200, was reported as "Cổng
    có thể đã đổi định dạng", the portal's own words dropped and the official pointed at the wrong cause."""
    portal.faults["transparency"] = [json_answer(payload)]
    before = folder_state(earlier)
    with client_for(portal) as client, pytest.raises(PortalError) as caught:
        client.fetch("transparency", parse_period("2026-Q3"))
    assert caught.value.kind == "access" and payload["message"] in str(caught.value)
    assert "đăng nhập lại" in str(caught.value) and "định dạng" not in str(caught.value)
    assert folder_state(earlier) == before


@pytest.mark.parametrize("current", ["1", 1.0, " 1 "])
def test_a_page_number_sent_as_text_is_the_page_asked(portal, tmp_path, current):
    """currentPage "1" failed the capture with "hỏi trang 1 nhưng Cổng trả trang 1"."""
    payload = json.loads(fixture("transparency"))
    payload["data"]["pagination"]["currentPage"] = current
    portal.faults["transparency"] = [json_answer(payload)]
    with client_for(portal) as client:
        assert client.fetch("transparency", parse_period("2026-Q3")).rows == len(payload["data"]["evaluation"])
