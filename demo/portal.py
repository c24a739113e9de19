"""Snapshots of the national portal's QĐ 766 evaluation API, computed from the generated dossiers.

Counts come from the dossiers as they stood at the capture time; scores follow methodology §3.3 and are
rounded to 2 decimals like the portal. Definitions that the methodology leaves open are in demo/README.md.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from common.units import AGENCY, Unit
from demo.catalogue import ONLINE_FULL, ONLINE_NONE, Catalogue
from demo.petitions import Petitions, petition_counts
from demo.portal_codes import demo_portal_codes
from demo.publication import Publication, publication_counts
from demo.simulate import (
    CHANNEL_ONLINE,
    DAY,
    EV_FINISH,
    N_EVENTS,
    S_COMPLETED,
    S_REFUSED,
    S_WITHDRAWN,
    SUPPLEMENT_REQUEST_COLUMNS,
    Calendar,
    Dossiers,
    UnitTraits,
)

TREE_ENDPOINTS = ("dvc-progress-tree", "provide-online-tree", "formality-online-payment-tree")
EVALUATION_ENDPOINTS = ("transparency", "handling-satisfaction", "dossier-digitized")
GROUP_MAX = {
    "transparency": 18,
    "dvc-progress-tree": 20,
    "provide-online-tree": 12,
    "formality-online-payment-tree": 10,
    "handling-satisfaction": 18,
    "dossier-digitized": 22,
}


@dataclass(frozen=True)
class MetricDef:
    code: str
    name: str
    max_score: float
    rule: str  # linear | target | petition | receiving
    target: float = 100.0


METRICS: dict[str, tuple[MetricDef, ...]] = {
    "transparency": (
        MetricDef("PUBLISH_ON_TIME", "Tỷ lệ TTHC công bố đúng hạn", 6, "linear"),
        MetricDef("PUBLIC_UPDATE_ON_TIME", "Tỷ lệ TTHC được cập nhật, công khai đúng hạn trên CSDLQG", 4, "linear"),
        MetricDef("PUBLIC_CONTENT_FULL", "Tỷ lệ TTHC công khai đầy đủ nội dung", 2, "linear"),
        MetricDef("DOSSIER_SYNC", "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG", 6, "linear"),
    ),
    "handling-satisfaction": (
        MetricDef("PETITION_CLASSIFICATION_TTHC", "Tỷ lệ PAKN về quy định, thủ tục hành chính", 0, "info"),
        MetricDef("PETITION_PROCESSING_ON_TIME", "Tỷ lệ PAKN xử lý đúng hạn", 6, "petition"),
        MetricDef("PETITION_HANDLING_SATISFACTION", "Tỷ lệ hài lòng trong xử lý PAKN", 6, "petition"),
        MetricDef("DOSSIER_RECEIVING_SATISFACTION", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", 6, "receiving", 90.0),
        MetricDef("PETITION_CLASSIFICATION_STAFF", "Tỷ lệ PAKN về hành vi cán bộ, công chức, viên chức", 0, "info"),
    ),
    "dossier-digitized": (
        MetricDef("ORIGINAL_RESULT_AVAILABLE", "Tỷ lệ hồ sơ có cấp kết quả giải quyết TTHC điện tử", 6, "linear"),
        MetricDef("SO_HOA_GIAY_TO_GIAI_QUYET", "Tỷ lệ hồ sơ thực hiện số hóa", 4, "linear"),
        MetricDef("ELECTRONIC_CERTIFIED_COPY", "Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính", 2, "linear"),
        MetricDef("REUSED_DIGITIZED_DATA", "Tỷ lệ hồ sơ khai thác, sử dụng lại dữ liệu số hóa", 2, "target", 80.0),
        MetricDef(
            "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
            "Tỷ lệ hồ sơ số hóa có kết nối, chia sẻ với kho dữ liệu cá nhân trên Cổng",
            4,
            "linear",
        ),
        MetricDef("CITIZEN_DATA_CONNECTED_DOSSIER", "Tỷ lệ hồ sơ sử dụng dữ liệu từ CSDLQG về dân cư", 2, "linear"),
        MetricDef("CITIZEN_DATA_CONNECTED_FORMALITY", "Tỷ lệ TTHC triển khai kết nối dữ liệu dân cư", 2, "linear"),
    ),
}


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return round(100 * num / den, 2)


def metric_score(m: MetricDef, num: float, den: float) -> float | None:
    """Unrounded points of a metric (methodology §3.3); a zero denominator scores 0, petitions score full; an
    information metric has no score (null), as on the portal."""
    if m.rule == "info":
        return None
    if den == 0:
        return m.max_score if m.rule == "petition" else 0.0
    r = 100 * num / den
    if m.rule in ("target", "receiving"):
        return m.max_score * min(1.0, r / m.target)
    return min(m.max_score, m.max_score * r / 100)


def timeliness_score(on_time: int, received: int, max_score: float = 20) -> float:
    return 0.0 if received == 0 else max_score * on_time / received


def payment_score(c: dict) -> float:
    """2 x min(1, R3.5a/80) + 2 x min(1, R3.5b/80) + 6 x R3.6/100."""
    fee_formality = c["totalFeeFormality"]
    score = 0.0
    if fee_formality:
        score += 2 * min(1.0, 100 * c["totalFeeDossierFormality"] / fee_formality / 80)
        score += 2 * min(1.0, 100 * c["totalDossierOnlineFormalityPaymentSuccess"] / fee_formality / 80)
    if c["totalDossierFinancialObligation"]:
        score += 6 * c["totalDossierOnlinePaymentSuccess"] / c["totalDossierFinancialObligation"]
    return score


@dataclass(frozen=True)
class Period:
    label: str  # 2026-M10 | 2026-Q3 | 2026-Y
    first: date  # first day with data (clipped to the range)
    last: date
    captured: datetime


def periods(start: date, end: date) -> list[Period]:
    """Every month, quarter and year-to-date the range covers; closed periods are captured 3 days after
    they end, the open ones at the end of the range."""
    found: list[tuple[str, date, date]] = []
    for y in range(start.year, end.year + 1):
        for m in range(1, 13):
            first, last = date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
            if first <= end and last >= start:
                found.append((f"{y}-M{m:02d}", first, last))
    for y in range(start.year, end.year + 1):
        for q in range(1, 5):
            first = date(y, 3 * q - 2, 1)
            last = date(y, 3 * q, calendar.monthrange(y, 3 * q)[1])
            if first <= end and last >= start:
                found.append((f"{y}-Q{q}", first, last))
    for y in range(start.year, end.year + 1):
        found.append((f"{y}-Y", date(y, 1, 1), date(y, 12, 31)))
    closing = datetime.combine(end, time(17, 30))
    out = []
    for label, first, last in found:
        captured = min(datetime.combine(last + timedelta(days=3), time(8, 15)), closing)
        out.append(Period(label, max(first, start), min(last, end), captured))
    return out


def calendar_first(p: Period) -> date:
    """First day of the calendar period (not clipped to the range): publication records exist before the range."""
    year, kind = int(p.label[:4]), p.label[5]
    if kind == "M":
        return date(year, int(p.label[6:]), 1)
    if kind == "Q":
        return date(year, 3 * int(p.label[6:]) - 2, 1)
    return date(year, 1, 1)


def department_id(code: str) -> str:
    """Opaque, stable id like the portal's (it is not the unit code)."""
    return hashlib.md5(f"dvcqg-department:{code}".encode()).hexdigest()[:24]


def evaluation_name(unit: Unit) -> str:
    """Names as the evaluation endpoints spell them: some with "UBND", some with the province suffix."""
    pick = int(hashlib.md5(unit.code.encode()).hexdigest(), 16) % 3
    if unit.group == AGENCY:
        return f"{unit.name} - Tỉnh {unit.province}" if pick else unit.name
    return f"UBND {unit.name}" if pick else unit.name


class PeriodCounts:
    """Per-unit counts of one period as seen at its capture time (index len(units) = the province)."""

    def __init__(
        self,
        d: Dossiers,
        units: tuple[Unit, ...],
        cat: Catalogue,
        cal: Calendar,
        traits: UnitTraits,
        pet: Petitions,
        pub: list[Publication],
        p: Period,
    ):
        n_units = len(units)
        self.n = n_units
        first = (np.datetime64(p.first, "D") - np.datetime64("1970-01-01", "D")).astype(int)
        last = (np.datetime64(p.last, "D") - np.datetime64("1970-01-01", "D")).astype(int)
        capture = int((p.captured - datetime(1970, 1, 1)).total_seconds())
        lo, hi = np.searchsorted(d.day, [first, last + 1])
        s = slice(int(lo), int(hi))
        seen = d.received[s] <= capture
        unit = d.unit[s][seen]
        proc = d.proc[s][seen]
        ev = d.events[s][seen]
        known = (ev >= 0) & (ev <= capture)
        last_col = np.where(known, np.arange(N_EVENTS), -1).max(axis=1)
        finished = last_col >= EV_FINISH
        finish = d.finish[s][seen]
        withdrawn = finished & (finish == S_WITHDRAWN)
        done = finished & np.isin(finish, [S_COMPLETED, S_REFUSED])
        completed = finished & (finish == S_COMPLETED)
        supplements = known[:, list(SUPPLEMENT_REQUEST_COLUMNS)].sum(axis=1)
        due = d.due[s][seen]
        fin_ts = ev[:, EV_FINISH]
        # On time: finished by the due date, or still in progress and not yet due; more than one
        # supplement request counts as late (methodology 2.1). Withdrawn dossiers are left out.
        on_time = np.where(done, fin_ts <= due, ~finished & (due >= capture)) & (supplements <= 1)
        universe = ~withdrawn

        def per_unit(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
            counts = np.bincount(unit[mask], weights=None if weights is None else weights[mask], minlength=n_units)
            return np.r_[counts, counts.sum()]

        def distinct(mask: np.ndarray) -> np.ndarray:
            pairs = np.unique(unit[mask] * len(cat) + proc[mask])
            return np.r_[np.bincount(pairs // len(cat), minlength=n_units), len(np.unique(proc[mask]))]

        online = d.channel[s][seen] == CHANNEL_ONLINE
        fee = d.fee[s][seen] > 0
        paid = d.paid_online[s][seen]
        e_result = d.e_result[s][seen]
        reused = d.reused[s][seen]
        vneid = d.vneid[s][seen]
        rating = d.rating[s][seen]
        received_s = d.received[s][seen]
        everything = np.ones(len(unit), dtype=bool)
        self.received = per_unit(universe)
        self.on_time = per_unit(universe & on_time)
        self.completed = per_unit(done)
        self.completed_only = per_unit(completed)
        self.processing_days = per_unit(completed, (fin_ts - received_s) / DAY)
        self.all = per_unit(everything)
        self.online = per_unit(online)
        self.fee = per_unit(fee)
        self.paid = per_unit(paid)
        self.fee_procs = distinct(fee)
        self.paid_procs = distinct(paid)
        self.procs_with_dossiers = distinct(everything)
        self.online_procs_with_dossiers = distinct(cat.online[proc] != ONLINE_NONE)
        self.vneid_procs = distinct(vneid)
        self.e_result = per_unit(completed & e_result)
        self.digitised = per_unit(d.digitised[s][seen])
        self.reused = per_unit(reused)
        # 4.4 (methodology): a component from the applicant's store (reused data of an online dossier), or an
        # electronic result synced to the portal, as warehouse/sql/qd766/dossier_measures.sql counts it
        self.personal_store = per_unit((reused & online) | (completed & e_result & d.synced[s][seen]))
        self.vneid = per_unit(vneid)
        self.synced = per_unit(d.synced[s][seen])
        self.dissatisfied = per_unit(finished & (rating == 2))
        # Petitions (5.2, 5.3) and publication (1.1-1.3) are counted from their records as known at the capture.
        self.petitions, self.petitions_on_time, self.petitions_bad = petition_counts(pet, first, last, capture, n_units)
        self.publication = publication_counts(pub, cal, calendar_first(p), p.last, p.captured)

        # Catalogue-level counts: the procedures under each unit's authority.
        agency_of = cat.agency
        commune = cat.commune_level
        is_agency = np.array([u.group == AGENCY for u in units])

        def authority(mask: np.ndarray) -> np.ndarray:
            own = np.bincount(agency_of[mask & ~commune], minlength=n_units)
            out = np.where(is_agency, own, int((mask & commune).sum()))
            return np.r_[out, int(mask.sum())]

        every = np.ones(len(cat), dtype=bool)
        self.formalities = authority(every)
        self.online_formalities = authority(cat.online != ONLINE_NONE)
        self.full_online_formalities = authority(cat.online == ONLINE_FULL)
        self.fee_formalities = authority(cat.fee > 0)
        self.integrated_formalities = authority(cat.payment_integrated)
        offers = traits.offers_e_copy.astype(int)
        n_local = int((~is_agency).sum())
        self.e_copy = np.r_[np.where(is_agency, int(offers.sum()), offers), int(offers.sum())]
        self.e_copy_den = np.r_[np.where(is_agency, n_local, 1), n_local]


def _node(units: tuple[Unit, ...], i: int, province: str, province_code: str, codes: dict[str, str]) -> dict:
    if i == len(units):  # the root carries no level
        return {
            "departmentId": department_id(province_code),
            "departmentName": f"UBND tỉnh {province}",
            "departmentCode": province_code,
        }
    u = units[i]
    return {
        "departmentId": department_id(codes[u.code]),
        "departmentName": evaluation_name(u),
        "departmentCode": codes[u.code],
        "level": "PROVINCE" if u.group == AGENCY else "COMMUNE",
    }


def _online_score(c: PeriodCounts, i: int, rng: np.random.Generator) -> float:
    """A plausible DVCTT score: the methodology's rejected hypothesis plus noise (the real formula is unknown)."""
    r31 = c.online_formalities[i] / max(c.formalities[i], 1) * 100
    r32 = c.online_procs_with_dossiers[i] / max(c.online_formalities[i], 1)
    r33 = c.online[i] / max(c.all[i], 1) * 100
    base = 2 * min(1, r31 / 80) + 4 * r32 + 6 * min(1, r33 / 50)
    return float(np.clip(base + rng.normal(0, 0.3), 0, 12))


def tree_counts(endpoint: str, c: PeriodCounts, i: int, rng: np.random.Generator) -> dict:
    """The fields of one tree row as the real endpoint publishes them (../shared/reference/portal-api.md): the
    province row (i == c.n) and the unit rows differ in their fields and in the name of the score."""
    root = i == c.n
    scores = ("totalScore", "totalMaxScore") if root or endpoint != "dvc-progress-tree" else ("score", "maxScore")
    if endpoint == "dvc-progress-tree":
        received, on_time = int(c.received[i]), int(c.on_time[i])
        avg = c.processing_days[i] / c.completed_only[i] if c.completed_only[i] else None
        out: dict = {"totalReceived": received, "totalOnTime": on_time}
        out |= {"totalCompleted": int(c.completed[i])} if root else {"totalOverdue": received - on_time}
        out |= {"avgProcessingDays": None if avg is None else round(avg, 2), "ratio": ratio(on_time, received)}
        score = timeliness_score(on_time, received)
    elif endpoint == "provide-online-tree":
        score = _online_score(c, i, rng)
        out = {}
        if root:  # unit rows publish no counts at all
            online, total = int(c.online[i]), int(c.all[i])
            out = {
                "authorityCount": int(c.formalities[i]),
                "partialCount": int(c.online_formalities[i] - c.full_online_formalities[i]),
                "fullCount": int(c.full_online_formalities[i]),
                "onlineServiceTotal": int(c.online_formalities[:-1].sum()),
                "onlineDossierCount": int(c.online_procs_with_dossiers[:-1].sum()),
                "channelOnlineSum": online,
                "channelDirectSum": total - online,
                "channelPostalSum": 0,
                "channelTotalSum": total,
                "onlineOnTimeSum": int(c.on_time[i]),
                "onlineOverdueSum": int(c.received[i] - c.on_time[i]),
            }
        out["ratio"] = round(100 * score / GROUP_MAX[endpoint], 2)
    else:
        out = {
            "totalDossierOnlinePaymentSuccess": int(c.paid[i]),
            "totalDossierFinancialObligation": int(c.fee[i]),
            "totalDossierOnlineFormalityPaymentSuccess": int(c.paid_procs[i]),
            "totalFeeDossierFormalityDistinct": int(c.fee_procs[i]),
            "totalFeeDossierFormality": int(c.integrated_formalities[i]),
            "totalFeeFormality": int(c.fee_formalities[i]),
        }
        score = payment_score(out)
        out["ratio"] = round(100 * score / GROUP_MAX[endpoint], 1)
    out |= {scores[0]: round(float(score), 2), scores[1]: GROUP_MAX[endpoint]}
    return out if root else out | {"scoreDelta": None}


def metric_counts(endpoint: str, c: PeriodCounts, i: int) -> list[tuple[int | None, int | None]]:
    """(numerator, denominator) of each metric of the group, in METRICS order; (None, None) where the portal
    publishes a score without its counts."""
    if endpoint == "transparency":
        published, on_time, updated, full = c.publication
        return [(on_time, published), (updated, published), (full, published), (int(c.synced[i]), int(c.all[i]))]
    if endpoint == "handling-satisfaction":
        pet = int(c.petitions[i])
        received = int(c.received[i])
        unhappy = received - int(c.on_time[i]) + int(c.dissatisfied[i]) + pet
        about_procedures = (pet * 7) // 10
        return [
            (about_procedures, pet),
            (int(c.petitions_on_time[i]), pet),
            (pet - int(c.petitions_bad[i]), pet),
            (max(0, received - unhappy), received),
            (pet - about_procedures, pet),
        ]
    # ELECTRONIC_CERTIFIED_COPY: the real endpoint publishes its score with null numerator and denominator.
    return [
        (int(c.e_result[i]), int(c.completed_only[i])),
        (int(c.digitised[i]), int(c.all[i])),
        (None, None),
        (int(c.reused[i]), int(c.all[i])),
        (int(c.personal_store[i]), int(c.all[i])),
        (int(c.vneid[i]), int(c.all[i])),
        (int(c.vneid_procs[i]), int(c.procs_with_dossiers[i])),
    ]


def evaluation_row(endpoint: str, c: PeriodCounts, i: int) -> dict:
    metrics = []
    for m, (num, den) in zip(METRICS[endpoint], metric_counts(endpoint, c, i), strict=True):
        if num is None:  # the e-copy metric: scored from the communes that offer the service, counts unpublished
            e_num, e_den = int(c.e_copy[i]), int(c.e_copy_den[i])
            score, r = metric_score(m, e_num, e_den), ratio(e_num, e_den)
        else:
            score, r = metric_score(m, num, den), (0 if den == 0 else ratio(num, den))
        metric = {
            "code": m.code,
            "name": m.name,
            "numerator": num,
            "denominator": den,
            "ratio": r,
            "score": None if score is None else round(float(score), 2),
            "maxScore": m.max_score,
        }
        if m.code == "DOSSIER_SYNC":  # the portal's own warning, on every row of the real endpoint
            metric |= {
                "dataQualityStatus": "TEMP_NATIONAL_REPORT_DENOMINATOR",
                "dataQualityMessage": "Mẫu số BCQG/GRIS đang dùng số tạm, cần thay bằng dữ liệu crawl hệ thống cũ.",
            }
        metrics.append(metric)
    row = with_totals({"metrics": metrics})
    if endpoint == "handling-satisfaction":
        pet = int(c.petitions[i])
        row |= {"totalPetitions": pet, "classifiedPetitions": pet, "totalDossiers": int(c.all[i]), "averageScore": None}
    return row


def with_totals(row: dict) -> dict:
    """Totals are the sums of the rounded metric scores over the evaluated (non-null) metrics."""
    scored = [m for m in row["metrics"] if m["score"] is not None and m["maxScore"]]
    total = round(sum(m["score"] for m in scored), 2)
    max_total = round(sum(m["maxScore"] for m in scored), 2)
    row.update(totalScore=total, totalMaxScore=max_total, ratio=ratio(total, max_total))
    return row


def snapshot(endpoint: str, c: PeriodCounts, units: tuple[Unit, ...], rng: np.random.Generator) -> dict:
    province = units[0].province
    codes = demo_portal_codes(units)  # the portal's own numbering (communes <prefix>.100 …), not in master data
    province_code = codes[units[-1].code].split(".")[0]
    n = len(units)
    if endpoint in TREE_ENDPOINTS:
        parent = _node(units, n, province, province_code, codes) | tree_counts(endpoint, c, n, rng)
        children = [_node(units, i, province, province_code, codes) | tree_counts(endpoint, c, i, rng) for i in range(n)]
        return {"code": "OK", "data": {"parent": parent, "children": children}, "message": "OK"}

    def head(i: int) -> dict:
        """Evaluation rows carry the department id and name; only dossier-digitized also publishes the code."""
        if i == n:
            out = {
                "stt": 1,
                "departmentId": department_id(province_code),
                "departmentName": f"UBND tỉnh {province}",
                "departmentCode": province_code,
                "departmentType": "PROVINCE",
                "departmentLevel": "PROVINCE",
                "agencyLevel": "level_1",
            }
        else:
            u = units[i]
            out = {
                "stt": i + 1,
                "departmentId": department_id(codes[u.code]),
                "departmentName": evaluation_name(u),
                "departmentCode": codes[u.code],
                "departmentType": "PROVINCIAL_DEPARTMENT" if u.group == AGENCY else "COMMUNE_PEOPLE_COMMITTEE",
                "departmentLevel": "PROVINCE" if u.group == AGENCY else "COMMUNE",
                "agencyLevel": "level_2",
            }
        if endpoint != "dossier-digitized":
            del out["departmentCode"]
        return out

    def row(i: int) -> dict:
        r = evaluation_row(endpoint, c, i)
        return head(i) | {k: v for k, v in r.items() if k != "metrics"} | {"scoreDelta": None, "metrics": r["metrics"]}

    rows = [row(i) for i in range(n)]
    return {
        "code": "OK",
        "data": {
            "overview": row(n),
            "monthlyChart": [],
            "evaluation": rows,
            "pagination": {"total": len(rows), "currentPage": 1, "pageSize": 200, "totalPages": 1},
            "source": "demo",
        },
        "message": "OK",
    }


def file_name(endpoint: str, p: Period) -> str:
    return f"{endpoint}_{p.label}_{p.captured:%Y%m%dT%H%M}.json"


# --- deliberately bad snapshots -------------------------------------------------------------------------


@dataclass(frozen=True)
class BadSnapshot:
    key: str
    endpoint: str
    period_kind: str  # "M" first month | "Q" first quarter
    problem: str
    expected: str
    mutate: Callable[[dict, tuple[Unit, ...], PeriodCounts], str]  # returns the detail for BAD_FILES.md


def _busiest(c: PeriodCounts) -> int:
    return int(np.argmax(c.all[:-1]))


def _drop_field(snap: dict, units: tuple[Unit, ...], c: PeriodCounts) -> str:
    child = snap["data"]["children"][_busiest(c)]
    del child["totalDossierFinancialObligation"]
    return f"child {child['departmentCode']} ({child['departmentName']}) has no totalDossierFinancialObligation"


def _null_counts(snap: dict, units: tuple[Unit, ...], c: PeriodCounts) -> str:
    rows = snap["data"]["evaluation"]
    order = np.argsort(-c.all[:-1], kind="stable")[:3]
    for i in order:
        m = rows[i]["metrics"][3]  # DOSSIER_RECEIVING_SATISFACTION
        m.update(numerator=None, denominator=None, ratio=None, score=None)
        rows[i].update({k: v for k, v in with_totals({"metrics": rows[i]["metrics"]}).items() if k != "metrics"})
    names = ", ".join(rows[i]["departmentName"] for i in order)
    return (
        f"DOSSIER_RECEIVING_SATISFACTION has null numerator/denominator/ratio/score for {names}; "
        "their totalMaxScore is 12 (the metric is not evaluated)"
    )


def _changed_max(snap: dict, units: tuple[Unit, ...], c: PeriodCounts) -> str:
    for node in snap["data"]["children"]:
        node.update(maxScore=25, score=round(timeliness_score(node["totalOnTime"], node["totalReceived"], 25), 2))
    parent = snap["data"]["parent"]
    parent.update(totalMaxScore=25, totalScore=round(timeliness_score(parent["totalOnTime"], parent["totalReceived"], 25), 2))
    return "maxScore (totalMaxScore for the parent) is 25 instead of 20 everywhere (scores = 25 x onTime/received)"


def _unknown_child(snap: dict, units: tuple[Unit, ...], c: PeriodCounts) -> str:
    template = dict(snap["data"]["children"][-1])
    province_code = snap["data"]["parent"]["departmentCode"]
    # The next number of the portal's running sequence: a code the province's own portal could give.
    numbers = [int(n) for n in (code.rpartition(".")[2] for code in demo_portal_codes(units).values()) if n.isdigit()]
    unknown = f"{province_code}.{max(numbers) + 1}"
    template.update(
        departmentCode=unknown, departmentId=department_id(unknown), departmentName="Xã Không Tồn Tại", level="COMMUNE"
    )
    snap["data"]["children"].append(template)
    return f"extra child {unknown} 'Xã Không Tồn Tại' that matches no unit"


def _score_mismatch(snap: dict, units: tuple[Unit, ...], c: PeriodCounts) -> str:
    row = snap["data"]["evaluation"][_busiest(c)]
    m = row["metrics"][1]  # SO_HOA_GIAY_TO_GIAI_QUYET, max 4: its denominator is every dossier received
    delta = -2.0 if m["score"] >= 2.0 else 2.0
    m["score"] = round(m["score"] + delta, 2)
    row.update({k: v for k, v in with_totals({"metrics": row["metrics"]}).items() if k != "metrics"})
    return (
        f"{row['departmentName']}: SO_HOA_GIAY_TO_GIAI_QUYET score is {m['score']} but its counts "
        f"{m['numerator']}/{m['denominator']} give {round(m['score'] - delta, 2)} (off by {delta:+})"
    )


BAD_SNAPSHOTS = (
    BadSnapshot(
        "portal_missing_field",
        "formality-online-payment-tree",
        "M",
        "a child lacks a count field",
        "report the missing field for that unit; load the other units; do not treat the count as 0",
        _drop_field,
    ),
    BadSnapshot(
        "portal_null_counts",
        "handling-satisfaction",
        "M",
        "null counts",
        "keep the nulls as 'not evaluated' (never 0); score and ratio stay null",
        _null_counts,
    ),
    BadSnapshot(
        "portal_changed_max",
        "dvc-progress-tree",
        "Q",
        "changed maxScore",
        "report that the group maximum differs from the configured 20 (methodology change?)",
        _changed_max,
    ),
    BadSnapshot(
        "portal_unknown_department",
        "provide-online-tree",
        "M",
        "child matches no unit",
        "report the unknown department; never create a unit for it",
        _unknown_child,
    ),
    BadSnapshot(
        "portal_score_mismatch",
        "dossier-digitized",
        "M",
        "portal score disagrees with its counts",
        "report the discrepancy (recomputed vs portal score); keep the portal's score, it is authoritative",
        _score_mismatch,
    ),
)


def write_portal(
    folder: Path,
    d: Dossiers,
    units: tuple[Unit, ...],
    cat: Catalogue,
    cal: Calendar,
    traits: UnitTraits,
    pet: Petitions,
    pub: list[Publication],
    seed: int,
    bad: bool,
) -> tuple[list[Path], list[dict]]:
    folder.mkdir(parents=True, exist_ok=True)
    all_periods = periods(cal.start, cal.end)
    first_of = {kind: next(p for p in all_periods if f"-{kind}" in p.label) for kind in ("M", "Q")}
    written: list[Path] = []
    bad_list: list[dict] = []
    for k, p in enumerate(all_periods):
        counts = PeriodCounts(d, units, cat, cal, traits, pet, pub, p)
        for e, endpoint in enumerate(TREE_ENDPOINTS + EVALUATION_ENDPOINTS):
            snap = snapshot(endpoint, counts, units, np.random.default_rng([seed, 767, k, e]))
            for b in BAD_SNAPSHOTS if bad else ():
                if b.endpoint == endpoint and first_of[b.period_kind] is p:
                    detail = b.mutate(snap, units, counts)
                    bad_list.append(
                        {
                            "file": f"portal/{file_name(endpoint, p)}",
                            "kind": b.key,
                            "problem": f"{b.problem}: {detail}",
                            "expected": b.expected,
                        }
                    )
            path = folder / file_name(endpoint, p)
            path.write_text(json.dumps(snap, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
            written.append(path)
    return written, bad_list
