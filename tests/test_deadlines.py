"""Completion times of plan tasks read from Vietnamese text (sources/deadlines.py)."""

import unicodedata
from datetime import date

import pytest

from sources.deadlines import Deadline, DeadlineError, parse_deadline

_PLAN = "Sau khi có Kế hoạch của UBND tỉnh"

# The 13 focus tasks of the department's 2026 plan, completion time as written:
# (task, phrase, kind, due, provisional, condition, period_start)
SEED = [
    ("1", "Sau khi có Kế hoạch của UBND tỉnh (dự kiến quý I/2026)", "quarter", date(2026, 3, 31), True, _PLAN, date(2026, 1, 1)),
    ("2", "Sau khi có Kế hoạch của UBND tỉnh (dự kiến tháng 01/2026)", "month", date(2026, 1, 31), True, _PLAN, date(2026, 1, 1)),
    (
        "3",
        "Sau khi có Kế hoạch của UBND tỉnh (dự kiến quý III/2026)",
        "quarter",
        date(2026, 9, 30),
        True,
        _PLAN,
        date(2026, 7, 1),
    ),
    # "before 1 June": the last day allowed is 31 May
    ("4", "Trước 01/6/2026", "date", date(2026, 5, 31), False, None, None),
    (
        "5",
        "Quý II/2026 (sau khi UBND tỉnh công bố)",
        "quarter",
        date(2026, 6, 30),
        True,
        "sau khi UBND tỉnh công bố",
        date(2026, 4, 1),
    ),
    ("6", "Quý III/2026", "quarter", date(2026, 9, 30), False, None, date(2026, 7, 1)),
    ("7", "Năm 2026", "year", date(2026, 12, 31), False, None, date(2026, 1, 1)),
    ("8", "Năm 2026", "year", date(2026, 12, 31), False, None, date(2026, 1, 1)),
    ("9", "Quý II/2026", "quarter", date(2026, 6, 30), False, None, date(2026, 4, 1)),
    ("10", "Quý IV/2026", "quarter", date(2026, 12, 31), False, None, date(2026, 10, 1)),
    ("11", "Quý IV/2026", "quarter", date(2026, 12, 31), False, None, date(2026, 10, 1)),
    ("12", "Quý IV/2026", "quarter", date(2026, 12, 31), False, None, date(2026, 10, 1)),
    ("13", "Năm 2026", "year", date(2026, 12, 31), False, None, date(2026, 1, 1)),
]


@pytest.mark.parametrize(
    ("task", "text", "kind", "due", "provisional", "condition", "start"), SEED, ids=[f"task{s[0]}" for s in SEED]
)
def test_the_13_seed_tasks(task, text, kind, due, provisional, condition, start):
    assert parse_deadline(text) == Deadline(text, kind, due, provisional, condition, start, before=task == "4")


@pytest.mark.parametrize(
    ("text", "kind", "due", "start"),
    [
        ("quý I/2026", "quarter", date(2026, 3, 31), date(2026, 1, 1)),
        ("QUÝ  ii / 2026", "quarter", date(2026, 6, 30), date(2026, 4, 1)),
        ("Quý 3/2026", "quarter", date(2026, 9, 30), date(2026, 7, 1)),
        ("Quý IV năm 2026", "quarter", date(2026, 12, 31), date(2026, 10, 1)),
        ("Quí II-2026", "quarter", date(2026, 6, 30), date(2026, 4, 1)),
        ("Quí II/2026", "quarter", date(2026, 6, 30), date(2026, 4, 1)),
        ("Qúy II/2026", "quarter", date(2026, 6, 30), date(2026, 4, 1)),
        ("Quý I - 2026", "quarter", date(2026, 3, 31), date(2026, 1, 1)),
        ("Quý 1-2026", "quarter", date(2026, 3, 31), date(2026, 1, 1)),
        ("QUÍ IV - 2026", "quarter", date(2026, 12, 31), date(2026, 10, 1)),
        ("Trong quý II/2026", "quarter", date(2026, 6, 30), date(2026, 4, 1)),
        # "by", "at the latest within" and the verb "complete" written before the time, as plans also write it
        ("Đến tháng 6/2026", "month", date(2026, 6, 30), date(2026, 6, 1)),
        ("Chậm nhất trong tháng 6/2026", "month", date(2026, 6, 30), date(2026, 6, 1)),
        ("Hoàn thành trong quý II/2026", "quarter", date(2026, 6, 30), date(2026, 4, 1)),
        ("Hoàn thành xong trong năm 2026", "year", date(2026, 12, 31), date(2026, 1, 1)),
        ("Đến năm 2026", "year", date(2026, 12, 31), date(2026, 1, 1)),
        ("tháng 01/2026", "month", date(2026, 1, 31), date(2026, 1, 1)),
        ("Tháng 3 năm 2026", "month", date(2026, 3, 31), date(2026, 3, 1)),
        ("Tháng 2/2028", "month", date(2028, 2, 29), date(2028, 2, 1)),
        ("Đến hết tháng 12/2026", "month", date(2026, 12, 31), date(2026, 12, 1)),
        ("15/7/2026", "date", date(2026, 7, 15), None),
        ("05/07/2026", "date", date(2026, 7, 5), None),
        ("Ngày 15 tháng 7 năm 2026", "date", date(2026, 7, 15), None),
        ("Trước ngày 15/7/2026", "date", date(2026, 7, 14), None),
        ("Trước 30/6/2026", "date", date(2026, 6, 29), None),  # before X: X - 1 day
        ("Trước 01/01/2027", "date", date(2026, 12, 31), None),
        ("Đến hết ngày 30/6/2026", "date", date(2026, 6, 30), None),  # until the end of X: X
        ("Trong ngày 30/6/2026", "date", date(2026, 6, 30), None),
        ("Chậm nhất ngày 30/6/2026", "date", date(2026, 6, 30), None),
        ("6 tháng đầu năm 2026", "half", date(2026, 6, 30), date(2026, 1, 1)),
        ("6 tháng cuối năm 2026", "half", date(2026, 12, 31), date(2026, 7, 1)),
        ("Trong năm 2026", "year", date(2026, 12, 31), date(2026, 1, 1)),
        ("Đến hết năm 2026.", "year", date(2026, 12, 31), date(2026, 1, 1)),
        ("Thường xuyên trong năm 2026", "recurring", date(2026, 12, 31), date(2026, 1, 1)),
        # a range: its end is the deadline (it was unreadable, and the task never fell due)
        ("Từ 01/3/2026 đến 30/6/2026", "date", date(2026, 6, 30), date(2026, 3, 1)),
        ("01/3/2026 - 30/6/2026", "date", date(2026, 6, 30), date(2026, 3, 1)),
        ("Từ tháng 3 đến tháng 6/2026", "month", date(2026, 6, 30), date(2026, 3, 1)),
        ("Từ nay đến hết quý II/2026", "quarter", date(2026, 6, 30), None),
        ("Từ ngày 01/3 đến ngày 30/6/2026", "date", date(2026, 6, 30), date(2026, 3, 1)),  # the start in the end's year
        ("Từ 01/03 - 30/06/2026", "date", date(2026, 6, 30), date(2026, 3, 1)),
        ("Từ tháng 10 đến tháng 3/2027", "month", date(2027, 3, 31), date(2026, 10, 1)),  # across the new year
    ],
)
def test_other_phrases(text, kind, due, start):
    deadline = parse_deadline(text)
    assert (deadline.kind, deadline.due, deadline.period_start) == (kind, due, start)
    assert not deadline.provisional and deadline.condition is None


@pytest.mark.parametrize(
    "text", ["Hằng quý", "Định kỳ hằng quý", "Thường xuyên", "Hàng năm", "Thường xuyên, liên tục", "định kỳ  hằng tháng"]
)
def test_recurring_tasks_fall_due_at_the_end_of_the_plan_year(text):
    deadline = parse_deadline(text, default_year=2026)
    assert (deadline.kind, deadline.due, deadline.period_start) == ("recurring", date(2026, 12, 31), date(2026, 1, 1))
    with pytest.raises(DeadlineError, match="thiếu năm"):
        parse_deadline(text)


def test_a_phrase_without_its_year_takes_the_plan_year_only_when_given():
    assert parse_deadline("Quý II", default_year=2026).due == date(2026, 6, 30)
    assert parse_deadline("Quý II/2027", default_year=2026).due == date(2027, 6, 30)  # a written year wins
    with pytest.raises(DeadlineError):
        parse_deadline("Quý II")


@pytest.mark.parametrize(
    ("text", "kind", "due", "condition"),
    [
        ("Sau khi UBND tỉnh công bố, dự kiến quý II/2026", "quarter", date(2026, 6, 30), "Sau khi UBND tỉnh công bố"),
        ("Dự kiến quý II/2026", "quarter", date(2026, 6, 30), None),
        ("Quý II/2026 (dự kiến)", "quarter", date(2026, 6, 30), None),
        (
            "sau khi có kế hoạch của UBND tỉnh (dự kiến trước 01/6/2026)",
            "date",
            date(2026, 5, 31),
            "sau khi có kế hoạch của UBND tỉnh",
        ),
    ],
)
def test_conditional_phrases_are_provisional_and_keep_their_condition(text, kind, due, condition):
    deadline = parse_deadline(text)
    assert (deadline.kind, deadline.due, deadline.provisional, deadline.condition) == (kind, due, True, condition)


def test_text_is_nfc_with_spacing_collapsed_and_case_does_not_matter():
    decomposed = unicodedata.normalize("NFD", "  Sau khi có Kế hoạch   của UBND tỉnh (dự kiến QUÝ I / 2026) ")
    deadline = parse_deadline(decomposed)
    assert deadline.text == "Sau khi có Kế hoạch của UBND tỉnh (dự kiến QUÝ I / 2026)"
    assert deadline.condition == _PLAN and deadline.due == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Sớm nhất có thể", "không phải ngày"),
        ("Quý V/2026", "quý V không tồn tại"),
        ("Quý 0/2026", "quý 0 không tồn tại"),
        ("31/02/2026", "không tồn tại"),
        ("", "để trống"),
        ("   ", "để trống"),
        ("Tháng 13/2026", "tháng 13 không tồn tại"),
        ("Sau khi có Kế hoạch của UBND tỉnh", "không ghi thời gian dự kiến"),
        ("Trước tháng 6/2026", "trước"),
        ("Quý II/2026 và quý III/2026", "không phải ngày"),
        ("Quý II/2026 (ghi chú khác)", "không phải ngày"),
        ("15/7", "không phải ngày"),
        ("Năm 20261", "không phải ngày"),
    ],
)
def test_unreadable_phrases_are_errors_naming_the_phrase_never_guesses(text, reason):
    with pytest.raises(DeadlineError, match=reason) as info:
        parse_deadline(text, default_year=None)
    assert f"'{text.strip()}'" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "due", "before"),
    [
        ("Trước 01/6/2026", date(2026, 5, 31), True),  # a Sunday: not moved to Monday 01/06, the day named as too late
        ("Hoàn thành trước ngày 01/6/2026", date(2026, 5, 31), True),
        ("Đến 30/6/2026", date(2026, 6, 30), False),
        ("Hoàn thành 30/6/2026", date(2026, 6, 30), False),
        ("Trước ngày 15/7/2026", date(2026, 7, 14), True),
        ("trước ngày 1 tháng 6 năm 2026", date(2026, 5, 31), True),
        ("Trước 01/6/2026 (dự kiến)", date(2026, 5, 31), True),
        ("Sau khi có Kế hoạch của UBND tỉnh (dự kiến trước 01/6/2026)", date(2026, 5, 31), True),
        ("31/5/2026", date(2026, 5, 31), False),
        ("Đến hết ngày 31/5/2026", date(2026, 5, 31), False),
        ("Tháng 5/2026", date(2026, 5, 31), False),
        ("Quý II/2026", date(2026, 6, 30), False),
        ("Năm 2026", date(2026, 12, 31), False),
        ("Hằng quý", date(2026, 12, 31), False),
    ],
)
def test_before_a_date_is_a_boundary_the_rest_day_shift_does_not_extend(text, due, before):
    from scoring.task_status import effective_due

    deadline = parse_deadline(text, default_year=2026)
    assert (deadline.due, deadline.before) == (due, before)
    if text == "Trước 01/6/2026":
        # a period ending that Sunday would run to Monday 01/06/2026; the boundary stays on 31/05
        assert effective_due(deadline.due) == date(2026, 6, 1)
        assert effective_due(deadline.due, deadline.before) == date(2026, 5, 31)
    assert Deadline("x", "date", due, False, None).before is False  # the default


def test_a_range_that_ends_before_it_begins_is_refused_naming_both_days():
    with pytest.raises(DeadlineError, match=r"bắt đầu \(30/06/2026\) sau khi kết thúc \(01/03/2026\)"):
        parse_deadline("Từ 30/6/2026 đến 01/3/2026")
