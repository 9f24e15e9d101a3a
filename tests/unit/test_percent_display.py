"""The display rule of SPEC §2.4 against exact fractions: half up, never across a threshold."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.i18n import fmt_percent, shown_hundredths

MANY = settings(max_examples=500)

ratios = st.integers(1, 10**6).flatmap(
    lambda whole: st.builds(Fraction, st.integers(0, whole), st.just(whole))
)
# thresholds as campaigns write them (70, 92.5, 79.99) and finer ones (79.995, 1/3)
thresholds = st.one_of(
    st.builds(lambda hundredths: Fraction(hundredths, 100), st.integers(1, 10_000)),
    st.builds(Fraction, st.integers(1, 10**5), st.integers(1, 1000)).filter(
        lambda percent: 0 < percent <= 100
    ),
)


@st.composite
def figures_and_thresholds(draw: st.DrawFn) -> tuple[Fraction, Fraction]:
    """Returns a ratio and a percent threshold, often within 0,02 of it, where the rule bites."""
    ratio = draw(ratios)
    if draw(st.booleans()):
        return ratio, draw(thresholds)
    near = 100 * ratio + Fraction(draw(st.integers(-20_000, 20_000)), 10**6)
    return ratio, min(Fraction(100), max(Fraction(1, 10**6), near))


def _shown(text: str) -> Fraction:
    """Returns the percent a person reads in "99,93 %", exactly."""
    return Fraction(text.removesuffix(" %").replace(".", "").replace(",", "."))


def _half_up(ratio: Fraction) -> Fraction:
    """Returns the ratio as a percent rounded half up to two decimals, by the schoolbook rule."""
    hundredths = ratio * 10_000
    whole = hundredths.numerator // hundredths.denominator
    return Fraction(whole + (hundredths - whole >= Fraction(1, 2)), 100)


@MANY
@given(ratios)
def test_a_figure_without_threshold_shows_its_half_up_rounding(ratio: Fraction) -> None:
    shown = _shown(fmt_percent(ratio))
    assert shown == _half_up(ratio)
    assert abs(shown - 100 * ratio) <= Fraction(1, 200)


@MANY
@given(figures_and_thresholds())
def test_a_figure_shows_its_rounding_whenever_that_keeps_its_side_of_the_threshold(
    pair: tuple[Fraction, Fraction],
) -> None:
    ratio, threshold = pair
    rounded = _half_up(ratio)
    if (rounded >= threshold) == (100 * ratio >= threshold):
        assert _shown(fmt_percent(ratio, threshold=threshold)) == rounded


@MANY
@given(figures_and_thresholds())
def test_a_figure_below_its_threshold_never_shows_as_reaching_it(
    pair: tuple[Fraction, Fraction],
) -> None:
    ratio, threshold = pair
    if 100 * ratio < threshold:
        assert _shown(fmt_percent(ratio, threshold=threshold)) < threshold


@MANY
@given(figures_and_thresholds())
def test_a_figure_reaching_its_threshold_never_shows_below_it(
    pair: tuple[Fraction, Fraction],
) -> None:
    ratio, threshold = pair
    if 100 * ratio >= threshold:
        assert _shown(fmt_percent(ratio, threshold=threshold)) >= threshold


@MANY
@given(figures_and_thresholds())
def test_a_figure_shown_on_its_side_of_the_threshold_moves_one_hundredth_at_most(
    pair: tuple[Fraction, Fraction],
) -> None:
    ratio, threshold = pair
    shown = Fraction(shown_hundredths(ratio, threshold), 100)
    assert abs(shown - _half_up(ratio)) <= Fraction(1, 100)


@given(st.integers(1, 10_000))
def test_a_figure_just_below_a_threshold_in_hundredths_shows_the_hundredth_below(
    hundredths: int,
) -> None:
    threshold = Fraction(hundredths, 100)
    just_below = threshold / 100 - Fraction(1, 10**9)
    assert _shown(fmt_percent(just_below, threshold=threshold)) == threshold - Fraction(1, 100)
