"""Measures, gaps and verdicts of SPEC §2.4 on hand-picked counts, boundaries first."""

from dataclasses import replace
from fractions import Fraction

import pytest

from reporting.measures import (
    Counts,
    Measures,
    Progress,
    average,
    average_verdict,
    district_question_min_verdict,
    forms_needed,
    households_left,
    households_needed,
    lowest_question,
    measure,
    measure_district,
    meets,
    overall_verdict,
    participation,
    participation_verdict,
    projected_participation,
    question_min_verdict,
    question_verdict,
    rate,
    sum_counts,
)
from reporting.thresholds import REFERENCE_FORM, REFERENCE_THRESHOLDS, Form, Thresholds
from reporting.verdicts import Verdict, got_worse, worst

T = REFERENCE_THRESHOLDS
OPEN = Progress(elapsed_days=4, total_days=8, closed=False)
CLOSED = Progress(elapsed_days=8, total_days=8, closed=True)
BEFORE = Progress(elapsed_days=0, total_days=8, closed=False)
P80 = Fraction(80)


def counts(households: int, collected: int, invalid: int = 0, *satisfied: int) -> Counts:
    """Return totals; a single satisfied figure stands for every question."""
    if len(satisfied) == 1:
        satisfied = satisfied * REFERENCE_FORM.questions
    return Counts(households, collected, invalid, satisfied or (0,) * REFERENCE_FORM.questions)


def with_question(base: Counts, question: int, satisfied: int) -> Counts:
    """Return `base` with one question's satisfied figure changed."""
    figures = list(base.satisfied)
    figures[question - 1] = satisfied
    return Counts(base.households, base.collected, base.invalid, tuple(figures))


def add_satisfied_forms(c: Counts, n: int) -> Counts:
    """Return `c` after n more valid forms, satisfied on every question."""
    return c + Counts(0, n, 0, (n,) * REFERENCE_FORM.questions)


# --- Counts, Thresholds, Progress ----------------------------------------------------------


def test_valid_is_collected_minus_invalid() -> None:
    assert counts(100, 60, 5).valid == 55


def test_adding_counts_sums_every_field() -> None:
    a = Counts(100, 60, 2, tuple(range(10)))
    b = Counts(50, 40, 1, (1,) * 10)
    assert a + b == Counts(150, 100, 3, tuple(q + 1 for q in range(10)))


def test_sum_of_no_counts_is_zero() -> None:
    assert sum_counts([]) == Counts.zero() == Counts(0, 0, 0, (0,) * 10)


def test_sum_counts_adds_all_hamlets() -> None:
    hamlets = [counts(100, 50, 0, 40), counts(80, 70, 10, 60), counts(20, 0)]
    assert sum_counts(hamlets) == counts(200, 120, 10, 100)


def test_counts_of_another_number_of_questions_are_not_measured_against_the_form() -> None:
    with pytest.raises(ValueError, match="asks 10 questions, counts have 9"):
        measure(Counts(10, 5, 0, (1,) * 9), T, OPEN)


def test_counts_of_two_forms_do_not_add_up() -> None:
    with pytest.raises(ValueError, match="longer"):
        Counts(10, 5, 0, (1,) * 10) + Counts(10, 5, 0, (1,) * 19)


def test_a_form_of_nineteen_questions_judges_its_average_and_its_overall_question() -> None:
    form = Form(questions=19, average=tuple(range(1, 19)), overall=19)
    t = Thresholds(Fraction(70), Fraction(80), Fraction(90), Fraction(95), form=form)
    c = Counts(100, 80, 0, (72,) * 18 + (76,))  # 90 % on 1–18, 95 % on 19
    m = measure(c, t, OPEN)
    assert m.verdicts == {
        "participation": Verdict.MET,
        "question_min": Verdict.MET,
        "average": Verdict.MET,
        "overall": Verdict.MET,
    }
    assert m.average == Fraction(9, 10)
    assert m.overall == Fraction(95, 100)
    assert set(m.forms_needed) == {*map(str, range(1, 20)), "average"}
    assert lowest_question(c, form) == 1
    c = Counts(100, 80, 0, (72,) * 17 + (71, 75))  # question 18 below its share, 19 under 95
    m = measure(c, t, OPEN)
    assert m.verdicts["average"] is Verdict.AT_RISK
    assert m.verdicts["overall"] is Verdict.AT_RISK
    assert lowest_question(c, form) == 18


def test_a_threshold_left_out_has_no_verdict_and_no_gap() -> None:
    t = Thresholds(Fraction(92), None, Fraction(95), None)
    m = measure(Counts(100, 95, 0, (95,) * 10), t, OPEN)
    assert set(m.verdicts) == {"participation", "average"}
    assert set(m.forms_needed) == {"average"}
    assert t.judged == ("participation", "average")


def test_the_district_is_held_to_its_own_participation_threshold() -> None:
    t = Thresholds(Fraction(70), Fraction(80), Fraction(90), Fraction(95), Fraction(60))
    commune = measure(Counts(100, 65, 0, (65,) * 10), t, OPEN)
    assert commune.verdicts["participation"] is not Verdict.MET
    district = measure_district([commune], t, OPEN)
    assert district.verdicts["participation"] is Verdict.MET


def test_counts_keep_satisfied_as_a_tuple_even_from_a_list() -> None:
    c = Counts(10, 5, 0, [1] * 10)  # type: ignore[arg-type]
    assert c.satisfied == (1,) * 10
    assert hash(c) == hash(Counts(10, 5, 0, (1,) * 10))


def test_thresholds_turn_whole_percents_into_fractions() -> None:
    t = Thresholds(70, 80, 90, 95)  # type: ignore[arg-type]
    assert t == REFERENCE_THRESHOLDS
    assert isinstance(t.overall, Fraction)


def test_thresholds_read_a_decimal_float_as_the_decimal_written() -> None:
    t = Thresholds(79.99, 80, 90.5, 95)  # type: ignore[arg-type]
    assert t.participation == Fraction(7999, 100)
    assert t.average == Fraction(181, 2)


@pytest.mark.parametrize("bad", [Fraction(0), Fraction(-5), Fraction(10001, 100)])
def test_thresholds_refuse_percents_outside_0_to_100(bad: Fraction) -> None:
    with pytest.raises(ValueError, match="percent"):
        Thresholds(bad, P80, P80, P80)


def test_thresholds_accept_exactly_100_percent() -> None:
    assert Thresholds(Fraction(100), P80, P80, P80).participation == 100


def test_progress_started_once_a_day_has_begun() -> None:
    assert not BEFORE.started
    assert Progress(1, 8, closed=False).started


@pytest.mark.parametrize(("elapsed", "total"), [(0, 0), (-1, 8), (9, 8)])
def test_progress_refuses_impossible_days(elapsed: int, total: int) -> None:
    with pytest.raises(ValueError, match="days"):
        Progress(elapsed, total, closed=False)


# --- meets: exact comparisons ---------------------------------------------------------------


def test_80_00_percent_passes_80() -> None:
    assert meets(2000, 2500, P80)


def test_79_96_percent_fails_80() -> None:
    assert not meets(1999, 2500, P80)


def test_79_99_percent_fails_80() -> None:
    assert not meets(7999, 10000, P80)


def test_fractional_threshold_is_compared_exactly() -> None:
    assert meets(7999, 10000, Fraction(7999, 100))
    assert not meets(7998, 10000, Fraction(7999, 100))


def test_one_third_against_a_repeating_decimal_threshold() -> None:
    assert meets(1, 3, Fraction(100, 3))
    assert not meets(333_333, 1_000_000, Fraction(100, 3))


def test_meets_refuses_an_empty_denominator() -> None:
    with pytest.raises(ValueError, match="denominator"):
        meets(0, 0, P80)


# --- participation --------------------------------------------------------------------------


def test_participation_is_collected_over_households() -> None:
    assert participation(counts(1000, 250)) == Fraction(1, 4)


def test_participation_without_households_is_none() -> None:
    assert participation(counts(0, 0)) is None


def test_participation_exactly_70_percent_is_met() -> None:
    assert participation_verdict(counts(1000, 700), T, OPEN) is Verdict.MET


def test_participation_69_99_percent_is_not_met_once_closed() -> None:
    assert participation_verdict(counts(10000, 6999), T, CLOSED) is Verdict.NOT_MET


def test_participation_exactly_70_percent_is_met_after_the_window_closed() -> None:
    assert participation_verdict(counts(10000, 7000), T, CLOSED) is Verdict.MET


def test_participation_on_track_when_pace_projects_exactly_70_percent() -> None:
    # 350 in 4 of 8 days projects to 700 of 1000
    assert participation_verdict(counts(1000, 350), T, OPEN) is Verdict.ON_TRACK


def test_participation_at_risk_when_pace_projects_just_under_70_percent() -> None:
    # 349 in 4 of 8 days projects to 698 of 1000
    assert participation_verdict(counts(1000, 349), T, OPEN) is Verdict.AT_RISK


def test_participation_pace_boundary_with_uneven_days() -> None:
    # 3 of 7 days: 300 households projects to 700 exactly; 299 to 697.67
    progress = Progress(3, 7, closed=False)
    assert participation_verdict(counts(1000, 300), T, progress) is Verdict.ON_TRACK
    assert participation_verdict(counts(1000, 299), T, progress) is Verdict.AT_RISK


def test_participation_has_no_verdict_before_anything_is_collected() -> None:
    assert participation_verdict(counts(1000, 0), T, BEFORE) is None


def test_participation_with_nothing_collected_on_an_open_day_is_at_risk() -> None:
    assert participation_verdict(counts(1000, 0), T, OPEN) is Verdict.AT_RISK


def test_participation_before_the_window_counts_early_forms_as_one_day() -> None:
    assert participation_verdict(counts(800, 70), T, BEFORE) is Verdict.ON_TRACK
    assert participation_verdict(counts(800, 69), T, BEFORE) is Verdict.AT_RISK


def test_participation_without_households_has_no_verdict() -> None:
    assert participation_verdict(counts(0, 0), T, CLOSED) is None


def test_projected_participation_is_linear_and_capped_at_everyone() -> None:
    assert projected_participation(counts(1000, 350), OPEN) == Fraction(7, 10)
    assert projected_participation(counts(1000, 900), OPEN) == 1
    assert projected_participation(counts(0, 0), OPEN) is None


# --- households_needed --------------------------------------------------------------------


def test_households_needed_says_23_more_to_reach_70_percent() -> None:
    assert households_needed(counts(1000, 677), Fraction(70)) == 23


def test_households_needed_is_minimal() -> None:
    c = counts(1234, 500)
    n = households_needed(c, Fraction(70))
    assert meets(c.collected + n, c.households, Fraction(70))
    assert not meets(c.collected + n - 1, c.households, Fraction(70))


def test_households_needed_is_zero_when_met() -> None:
    assert households_needed(counts(1000, 700), Fraction(70)) == 0
    assert households_needed(counts(1000, 1000), Fraction(70)) == 0


def test_households_needed_rounds_up_a_fractional_household() -> None:
    # 70 % of 3 households is 2.1, so 3 must take part
    assert households_needed(counts(3, 0), Fraction(70)) == 3


def test_households_needed_without_households_is_zero() -> None:
    assert households_needed(counts(0, 0), Fraction(70)) == 0


def test_households_left_never_goes_below_zero() -> None:
    assert households_left(counts(100, 40)) == 60
    assert households_left(counts(100, 120)) == 0


# --- rates ----------------------------------------------------------------------------------


def test_rate_is_satisfied_over_valid_forms() -> None:
    c = with_question(counts(1000, 500, 20, 400), 4, 384)
    assert rate(c, 1) == Fraction(400, 480)
    assert rate(c, 4) == Fraction(384, 480)


def test_no_valid_forms_means_no_rate_and_no_crash() -> None:
    c = counts(100, 5, 5)
    assert [rate(c, q) for q in REFERENCE_FORM.numbers] == [None] * 10
    assert average(c) is None
    assert lowest_question(c) is None


@pytest.mark.parametrize("question", [0, 11])
def test_rate_refuses_unknown_questions(question: int) -> None:
    with pytest.raises(ValueError, match="question"):
        rate(counts(10, 10, 0, 10), question)


def test_average_q1_q9_is_the_mean_of_the_nine_rates_ignoring_q10() -> None:
    c = Counts(100, 100, 0, (90, 80, 70, 100, 100, 100, 100, 100, 100, 0))
    assert (
        average(c)
        == sum(rate(c, q) or 0 for q in REFERENCE_FORM.average) / 9
        == Fraction(840, 900)
    )


def test_lowest_question_is_the_lowest_of_1_to_9_first_on_ties() -> None:
    c = Counts(100, 100, 0, (90, 70, 95, 70, 99, 99, 99, 99, 99, 10))
    assert lowest_question(c) == 2


# --- forms_needed ---------------------------------------------------------------------------


def test_forms_needed_for_one_question_matches_the_closed_formula() -> None:
    # ceil((80*100 - 100*76) / (100 - 80)) = 20
    assert forms_needed(with_question(counts(1000, 100, 0, 100), 4, 76), (4,), P80) == 20


def test_forms_needed_for_one_question_is_minimal() -> None:
    c = with_question(counts(1000, 123, 3, 120), 4, 90)
    n = forms_needed(c, (4,), P80)
    assert n is not None
    assert meets(90 + n, 120 + n, P80)
    assert not meets(90 + n - 1, 120 + n - 1, P80)


def test_forms_needed_for_the_q1_q9_average_matches_the_closed_formula() -> None:
    # ceil((90*9*100 - 100*765) / (9*(100 - 90))) = 50
    c = counts(1000, 100, 0, 85)
    assert forms_needed(c, REFERENCE_FORM.average, Fraction(90)) == 50
    assert average(add_satisfied_forms(c, 50)) == Fraction(9, 10)
    assert average(add_satisfied_forms(c, 49)) < Fraction(9, 10)  # type: ignore[operator]


def test_forms_needed_is_zero_when_met() -> None:
    assert forms_needed(counts(1000, 2500, 0, 2000), (1,), P80) == 0


def test_forms_needed_is_none_when_more_forms_than_households_left() -> None:
    c = with_question(counts(120, 100, 0, 100), 4, 76)  # needs 20, 20 left
    assert forms_needed(c, (4,), P80) == 20
    assert forms_needed(with_question(c, 4, 75), (4,), P80) is None  # needs 25


def test_forms_needed_at_100_percent_is_impossible_once_a_form_is_unsatisfied() -> None:
    c = with_question(counts(1000, 100, 0, 100), 10, 99)
    assert forms_needed(c, (10,), Fraction(100)) is None
    assert forms_needed(c, (1,), Fraction(100)) == 0


def test_forms_needed_without_valid_forms_is_one_form_if_a_household_is_left() -> None:
    assert forms_needed(counts(10, 3, 3), (1,), P80) == 1
    assert forms_needed(counts(3, 3, 3), (1,), P80) is None


def test_forms_needed_refuses_an_empty_question_list() -> None:
    with pytest.raises(ValueError, match="question"):
        forms_needed(counts(10, 5, 0, 5), (), P80)


# --- share verdicts -------------------------------------------------------------------------


def test_question_at_80_00_percent_is_met() -> None:
    c = with_question(counts(5000, 2500, 0, 2500), 3, 2000)
    assert question_verdict(c, 3, P80, OPEN) is Verdict.MET


def test_question_at_79_96_percent_is_at_risk_while_open() -> None:
    c = with_question(counts(5000, 2500, 0, 2500), 3, 1999)
    assert question_verdict(c, 3, P80, OPEN) is Verdict.AT_RISK


def test_question_below_threshold_is_not_met_once_closed() -> None:
    c = with_question(counts(5000, 2500, 0, 2500), 3, 1999)
    assert question_verdict(c, 3, P80, CLOSED) is Verdict.NOT_MET


def test_question_that_cannot_be_reached_is_not_met_while_open() -> None:
    c = with_question(counts(120, 100, 0, 100), 4, 75)
    assert question_verdict(c, 4, P80, OPEN) is Verdict.NOT_MET


def test_question_without_valid_forms_has_no_verdict() -> None:
    for progress in (BEFORE, OPEN, CLOSED):
        assert question_verdict(counts(100, 4, 4), 1, P80, progress) is None


def test_question_min_is_the_worst_of_questions_1_to_9() -> None:
    c = with_question(counts(150, 100, 0, 100), 7, 79)  # 5 more forms fix question 7
    assert question_min_verdict(c, T, OPEN) is Verdict.AT_RISK
    # question 8 would need 400 more forms but only 50 households are left
    assert question_min_verdict(with_question(c, 8, 0), T, OPEN) is Verdict.NOT_MET


def test_question_min_ignores_question_10() -> None:
    c = with_question(counts(5000, 100, 0, 100), 10, 0)
    assert question_min_verdict(c, T, OPEN) is Verdict.MET


def test_average_verdict_uses_the_average_threshold() -> None:
    assert average_verdict(counts(1000, 100, 0, 90), T, OPEN) is Verdict.MET
    assert average_verdict(counts(1000, 100, 0, 89), T, OPEN) is Verdict.AT_RISK
    assert average_verdict(counts(1000, 100, 0, 89), T, CLOSED) is Verdict.NOT_MET


def test_q10_verdict_uses_the_q10_threshold() -> None:
    c = with_question(counts(10000, 10000, 0, 10000), 10, 9499)
    assert overall_verdict(c, T, OPEN) is Verdict.NOT_MET  # nobody left to ask
    assert overall_verdict(with_question(c, 10, 9500), T, OPEN) is Verdict.MET


# --- the verdict ladder ---------------------------------------------------------------------


def test_verdicts_rank_best_to_worst() -> None:
    assert [v.rank for v in Verdict] == [0, 1, 2, 3]
    assert list(Verdict) == [Verdict.MET, Verdict.ON_TRACK, Verdict.AT_RISK, Verdict.NOT_MET]
    assert [str(v) for v in Verdict] == ["met", "on_track", "at_risk", "not_met"]


def test_worst_ignores_missing_verdicts() -> None:
    assert worst([None, Verdict.ON_TRACK, Verdict.MET, None]) is Verdict.ON_TRACK
    assert worst([Verdict.NOT_MET, Verdict.AT_RISK]) is Verdict.NOT_MET


def test_worst_of_nothing_is_none() -> None:
    assert worst([]) is None
    assert worst([None, None]) is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (Verdict.MET, Verdict.AT_RISK),
        (Verdict.ON_TRACK, Verdict.AT_RISK),
        (Verdict.AT_RISK, Verdict.NOT_MET),
        (Verdict.MET, Verdict.ON_TRACK),
        (Verdict.MET, Verdict.NOT_MET),
    ],
)
def test_moving_down_the_ladder_got_worse(old: Verdict, new: Verdict) -> None:
    assert got_worse(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (Verdict.AT_RISK, Verdict.AT_RISK),
        (Verdict.AT_RISK, Verdict.ON_TRACK),
        (Verdict.NOT_MET, Verdict.MET),
        (None, Verdict.NOT_MET),
        (Verdict.MET, None),
        (None, None),
    ],
)
def test_staying_improving_or_missing_is_not_worse(
    old: Verdict | None, new: Verdict | None
) -> None:
    assert not got_worse(old, new)


# --- measure and the district ---------------------------------------------------------------


def test_measure_gathers_every_figure_verdict_and_gap() -> None:
    c = Counts(1000, 500, 20, (480, 400, 383, 480, 480, 480, 480, 480, 480, 456))
    m = measure(c, T, OPEN)
    assert m.counts == c
    assert m.participation == Fraction(1, 2)
    assert m.rates[2] == Fraction(383, 480)
    assert m.rates[9] == Fraction(456, 480)
    assert m.average == Fraction(4143, 4320)
    assert m.verdicts == {
        "participation": Verdict.ON_TRACK,
        "question_min": Verdict.AT_RISK,
        "average": Verdict.MET,
        "overall": Verdict.MET,
    }
    assert m.households_needed == 200
    assert m.forms_needed["3"] == 5  # ceil((80*480 - 38300) / 20)
    assert m.forms_needed["2"] == 0
    assert m.forms_needed["10"] == 0
    assert m.forms_needed["average"] == 0
    assert set(m.forms_needed) == {*map(str, REFERENCE_FORM.numbers), "average"}


def test_measure_holds_question_10_to_its_own_threshold() -> None:
    c = with_question(counts(1000, 100, 0, 100), 10, 90)  # 90 % passes 80 but not 95
    m = measure(c, T, OPEN)
    assert m.forms_needed["10"] == 100  # ceil((95*100 - 9000) / 5)
    assert m.verdicts["overall"] is Verdict.AT_RISK


def test_measure_without_valid_forms_has_no_rates_and_no_share_verdicts() -> None:
    m = measure(counts(100, 10, 10), T, OPEN)
    assert m.rates == (None,) * 10
    assert m.average is None
    assert m.verdicts["question_min"] is None
    assert m.verdicts["average"] is None
    assert m.verdicts["overall"] is None
    assert m.verdicts["participation"] is Verdict.AT_RISK


def test_measure_of_an_empty_unit_has_no_figures_and_does_not_crash() -> None:
    m = measure(Counts.zero(), T, CLOSED)
    assert m.participation is None
    assert set(m.verdicts.values()) == {None}
    assert m.households_needed == 0
    assert set(m.forms_needed.values()) == {None}


def commune(question_min: Verdict | None) -> Measures:
    """Return a commune's measures whose question_min verdict is the one given."""
    m = measure(counts(100, 100, 0, 100), T, OPEN)
    return replace(m, verdicts={**m.verdicts, "question_min": question_min})


def test_district_question_min_is_met_when_every_commune_meets_it() -> None:
    communes = [commune(Verdict.MET), commune(Verdict.MET)]
    assert district_question_min_verdict(communes, Verdict.MET, OPEN) is Verdict.MET


def test_district_question_min_takes_the_worst_commune_even_if_its_total_is_met() -> None:
    communes = [commune(Verdict.MET), commune(Verdict.AT_RISK), commune(Verdict.MET)]
    assert district_question_min_verdict(communes, Verdict.MET, OPEN) is Verdict.AT_RISK


def test_district_question_min_keeps_its_own_verdict_when_worse() -> None:
    communes = [commune(Verdict.MET)]
    assert district_question_min_verdict(communes, Verdict.NOT_MET, OPEN) is Verdict.NOT_MET


def test_district_question_min_counts_a_silent_commune_at_risk_while_open() -> None:
    communes = [commune(Verdict.MET), commune(None)]
    assert district_question_min_verdict(communes, Verdict.MET, OPEN) is Verdict.AT_RISK


def test_district_question_min_counts_a_silent_commune_not_met_once_closed() -> None:
    communes = [commune(Verdict.MET), commune(None)]
    assert district_question_min_verdict(communes, Verdict.MET, CLOSED) is Verdict.NOT_MET


def test_district_question_min_with_nothing_to_judge_is_none() -> None:
    assert district_question_min_verdict([commune(None), commune(None)], None, OPEN) is None
    assert district_question_min_verdict([], None, CLOSED) is None


def test_measure_district_sums_communes_and_judges_question_min_over_them() -> None:
    good = measure(counts(100, 100, 0, 100), T, OPEN)
    weak = measure(with_question(counts(100, 100, 0, 100), 5, 79), T, OPEN)
    district = measure_district([good, weak], T, OPEN)
    assert district.counts == good.counts + weak.counts
    assert district.rates[4] == Fraction(179, 200)
    assert weak.verdicts["question_min"] is Verdict.NOT_MET  # nobody left to ask
    assert district.verdicts["question_min"] is Verdict.NOT_MET
    assert district.verdicts["participation"] is Verdict.MET
