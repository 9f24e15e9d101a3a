"""The integer measures agree with plain `Fraction` arithmetic on random counts."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.measures import (
    Counts,
    Progress,
    average,
    average_verdict,
    district_question_min_verdict,
    forms_needed,
    households_left,
    households_needed,
    measure,
    meets,
    overall_verdict,
    participation,
    participation_verdict,
    question_min_verdict,
    question_threshold,
    question_verdict,
    rate,
    sum_counts,
)
from reporting.thresholds import MEASURES, REFERENCE_FORM, Thresholds
from reporting.verdicts import Verdict, got_worse, worst

MANY = settings(max_examples=300)

percents = st.one_of(
    st.integers(1, 100).map(Fraction),
    st.integers(1, 10_000).map(lambda hundredths: Fraction(hundredths, 100)),
    st.fractions(min_value=Fraction(1, 997), max_value=100, max_denominator=997),
)
verdicts = st.one_of(st.none(), st.sampled_from(Verdict))
question_sets = st.one_of(
    st.integers(1, REFERENCE_FORM.questions).map(lambda q: (q,)),
    st.just(tuple(REFERENCE_FORM.average)),
    st.sets(st.integers(1, REFERENCE_FORM.questions), min_size=1).map(
        lambda qs: tuple(sorted(qs))
    ),
)


@st.composite
def counts(draw: st.DrawFn, max_households: int = 3000) -> Counts:
    """Draw consistent totals: invalid within collected, satisfied within valid."""
    households = draw(st.integers(0, max_households))
    collected = draw(st.integers(0, households))
    invalid = draw(st.integers(0, collected))
    valid = collected - invalid
    satisfied = draw(st.tuples(*[st.integers(0, valid)] * REFERENCE_FORM.questions))
    return Counts(households, collected, invalid, satisfied)


@st.composite
def progresses(draw: st.DrawFn) -> Progress:
    """Draw a moment of a collection window, open or closed."""
    total = draw(st.integers(1, 30))
    return Progress(draw(st.integers(0, total)), total, closed=draw(st.booleans()))


thresholds = st.builds(Thresholds, percents, percents, percents, percents)


def share_after(c: Counts, questions: tuple[int, ...], n: int) -> Fraction | None:
    """Return the satisfied share in percent after n more all-satisfied forms, by Fractions."""
    valid = c.valid + n
    if valid == 0:
        return None
    satisfied = sum(c.satisfied[q - 1] for q in questions) + len(questions) * n
    return Fraction(satisfied, len(questions) * valid) * 100


def reaches(c: Counts, questions: tuple[int, ...], percent: Fraction, n: int) -> bool:
    """Return True when n more all-satisfied forms bring the share to percent."""
    share = share_after(c, questions, n)
    return share is not None and share >= percent


@MANY
@given(st.integers(0, 10**7), st.integers(1, 10**7), percents)
def test_meets_agrees_with_fraction_comparison(
    numerator: int, denominator: int, percent: Fraction
) -> None:
    assert meets(numerator, denominator, percent) == (
        Fraction(numerator, denominator) * 100 >= percent
    )


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_a_ratio_meets_its_own_exact_percent_but_not_a_hair_more(
    numerator: int, denominator: int
) -> None:
    exact = Fraction(100 * numerator, denominator)
    assert meets(numerator, denominator, exact)
    assert not meets(numerator, denominator, exact + Fraction(1, 10**12))


@MANY
@given(counts(), percents)
def test_households_needed_is_the_fewest_that_reach_the_threshold(
    c: Counts, percent: Fraction
) -> None:
    n = households_needed(c, percent)
    assert n >= 0
    if c.households == 0:
        assert n == 0
        return
    assert Fraction(c.collected + n, c.households) * 100 >= percent
    assert n == 0 or Fraction(c.collected + n - 1, c.households) * 100 < percent
    assert n <= households_left(c)  # a threshold of at most 100 % is always reachable


@MANY
@given(counts(), question_sets, percents)
def test_forms_needed_is_the_fewest_that_reach_or_none_when_impossible(
    c: Counts, questions: tuple[int, ...], percent: Fraction
) -> None:
    n = forms_needed(c, questions, percent)
    if n is None:
        # all-satisfied forms only raise the share, so the most there is room for falls short
        assert not reaches(c, questions, percent, households_left(c))
        return
    assert 0 <= n <= households_left(c)
    assert reaches(c, questions, percent, n)
    assert n == 0 or not reaches(c, questions, percent, n - 1)


@MANY
@given(counts(max_households=60), question_sets, percents)
def test_forms_needed_matches_a_search_over_every_possible_number(
    c: Counts, questions: tuple[int, ...], percent: Fraction
) -> None:
    possible = range(households_left(c) + 1)
    expected = next((n for n in possible if reaches(c, questions, percent, n)), None)
    assert forms_needed(c, questions, percent) == expected


@MANY
@given(counts(), st.integers(1, REFERENCE_FORM.questions), percents, progresses())
def test_question_verdict_follows_the_ladder(
    c: Counts, question: int, percent: Fraction, progress: Progress
) -> None:
    verdict = question_verdict(c, question, percent, progress)
    if c.valid == 0:
        assert verdict is None
    elif reaches(c, (question,), percent, 0):
        assert verdict is Verdict.MET
    elif progress.closed or not reaches(c, (question,), percent, households_left(c)):
        assert verdict is Verdict.NOT_MET
    else:
        assert verdict is Verdict.AT_RISK


@MANY
@given(counts(), percents, progresses())
def test_participation_verdict_follows_the_ladder(
    c: Counts, percent: Fraction, progress: Progress
) -> None:
    t = Thresholds(percent, Fraction(80), Fraction(90), Fraction(95))
    verdict = participation_verdict(c, t, progress)
    if c.households == 0:
        assert verdict is None
    elif Fraction(c.collected, c.households) * 100 >= percent:
        assert verdict is Verdict.MET
    elif progress.closed:
        assert verdict is Verdict.NOT_MET
    elif progress.elapsed_days == 0 and c.collected == 0:
        assert verdict is None
    else:
        pace = Fraction(c.collected, max(1, progress.elapsed_days))
        reached = pace * progress.total_days / c.households * 100 >= percent
        assert verdict is (Verdict.ON_TRACK if reached else Verdict.AT_RISK)


@MANY
@given(counts(), thresholds, progresses())
def test_measure_is_consistent_with_its_own_gaps(
    c: Counts, t: Thresholds, progress: Progress
) -> None:
    m = measure(c, t, progress)
    assert m.verdicts["question_min"] == worst(
        question_verdict(c, q, t.question_min, progress) for q in REFERENCE_FORM.average
    )
    shares = MEASURES[1:]  # every measure but participation is a share of valid forms
    assert all(m.verdicts[k] is not Verdict.ON_TRACK for k in shares)
    if c.households:
        assert (m.households_needed == 0) == (m.verdicts["participation"] is Verdict.MET)
    if c.valid:
        assert (m.forms_needed["10"] == 0) == (m.verdicts["overall"] is Verdict.MET)
        assert (m.forms_needed["average"] == 0) == (m.verdicts["average"] is Verdict.MET)
        worst_gap_met = all(m.forms_needed[str(q)] == 0 for q in REFERENCE_FORM.average)
        assert worst_gap_met == (m.verdicts["question_min"] is Verdict.MET)
    assert [r is None for r in m.rates] == [c.valid == 0] * REFERENCE_FORM.questions


@MANY
@given(counts(), thresholds, progresses())
def test_measure_gives_what_the_single_figure_functions_give(
    c: Counts, t: Thresholds, progress: Progress
) -> None:
    m = measure(c, t, progress)
    assert m.participation == participation(c)
    assert m.rates == tuple(rate(c, q) for q in REFERENCE_FORM.numbers)
    assert m.average == average(c)
    assert m.verdicts == {
        "participation": participation_verdict(c, t, progress),
        "question_min": question_min_verdict(c, t, progress),
        "average": average_verdict(c, t, progress),
        "overall": overall_verdict(c, t, progress),
    }
    assert m.households_needed == households_needed(c, t.participation)
    assert m.forms_needed == {
        **{
            str(q): forms_needed(c, (q,), question_threshold(q, t)) for q in REFERENCE_FORM.numbers
        },
        "average": forms_needed(c, REFERENCE_FORM.average, t.average),
    }


@given(st.lists(counts(), max_size=6))
def test_sum_counts_adds_each_field(hamlets: list[Counts]) -> None:
    total = sum_counts(hamlets)
    assert total.households == sum(h.households for h in hamlets)
    assert total.valid == sum(h.valid for h in hamlets)
    for q in REFERENCE_FORM.numbers:
        assert total.satisfied[q - 1] == sum(h.satisfied[q - 1] for h in hamlets)


@given(st.lists(verdicts))
def test_worst_is_the_lowest_on_the_ladder(given_verdicts: list[Verdict | None]) -> None:
    judged = [v for v in given_verdicts if v is not None]
    result = worst(given_verdicts)
    assert result == (max(judged, key=list(Verdict).index) if judged else None)
    assert not any(got_worse(result, v) for v in judged)


@given(verdicts, verdicts)
def test_got_worse_means_a_lower_rung(old: Verdict | None, new: Verdict | None) -> None:
    lower = old is not None and new is not None and new.rank > old.rank
    assert got_worse(old, new) == lower
    assert not (got_worse(old, new) and got_worse(new, old))


@MANY
@given(st.lists(counts(max_households=300), max_size=5), thresholds, progresses())
def test_district_question_min_is_met_only_when_every_commune_meets_it(
    communes: list[Counts], t: Thresholds, progress: Progress
) -> None:
    measured = [measure(c, t, progress) for c in communes]
    own = question_min_verdict(sum_counts(communes), t, progress)
    verdict = district_question_min_verdict(measured, own, progress)
    commune_verdicts = [m.verdicts["question_min"] for m in measured]
    assert not got_worse(verdict, own)
    assert not any(got_worse(verdict, v) for v in commune_verdicts)
    all_met = all(v is Verdict.MET for v in [own, *commune_verdicts])
    assert (verdict is Verdict.MET) == all_met
    if own is None and all(v is None for v in commune_verdicts):
        assert verdict is None
