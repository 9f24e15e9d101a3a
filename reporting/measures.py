"""The figures of SPEC §2.4 over integer counts, and how far each one is from its threshold.

Everything here is pure and exact: figures are `Fraction`s between 0 and 1, thresholds are
`Fraction` percents (`reporting.thresholds`), and every comparison is an integer
cross-multiplication, so 80.00 % passes and 79.99 % fails. Verdicts take their place on the
ladder of SPEC §2.4 (`reporting.verdicts`): met, on track, at risk, not met.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from reporting.thresholds import REFERENCE_FORM, Form, Thresholds
from reporting.verdicts import Verdict, worst


@dataclass(frozen=True, slots=True)
class Counts:
    """Totals for a hamlet, a commune or the district; `satisfied[0]` is question 1."""

    households: int
    collected: int = 0
    invalid: int = 0
    satisfied: tuple[int, ...] = (0,) * REFERENCE_FORM.questions

    def __post_init__(self) -> None:
        object.__setattr__(self, "satisfied", tuple(self.satisfied))

    @property
    def valid(self) -> int:
        """Returns the number of valid forms: collected minus invalid."""
        return self.collected - self.invalid

    def __add__(self, other: Counts) -> Counts:
        """Returns the field-by-field sum of two totals."""
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(
            households=self.households + other.households,
            collected=self.collected + other.collected,
            invalid=self.invalid + other.invalid,
            satisfied=tuple(a + b for a, b in zip(self.satisfied, other.satisfied, strict=True)),
        )

    @classmethod
    def zero(cls, questions: int = REFERENCE_FORM.questions) -> Counts:
        """Returns empty totals of a form with `questions` questions: nothing collected."""
        return cls(households=0, satisfied=(0,) * questions)


def sum_counts(counts: Iterable[Counts], questions: int = REFERENCE_FORM.questions) -> Counts:
    """Returns the sum of all the totals (zero totals of `questions` questions for none)."""
    return sum(counts, Counts.zero(questions))


@dataclass(frozen=True, slots=True)
class Progress:
    """Where the collection window stands at the as-of moment."""

    elapsed_days: int
    total_days: int
    closed: bool

    def __post_init__(self) -> None:
        if self.total_days < 1:
            raise ValueError(f"total_days must be at least 1, got {self.total_days}")
        if not 0 <= self.elapsed_days <= self.total_days:
            raise ValueError(f"elapsed_days must lie in 0..{self.total_days}")

    @property
    def started(self) -> bool:
        """Returns True once at least one collection day has begun."""
        return self.elapsed_days > 0


def meets(numerator: int, denominator: int, percent: Fraction) -> bool:
    """Returns True when numerator/denominator >= percent %, compared in integers only."""
    if denominator <= 0:
        raise ValueError(f"denominator must be positive, got {denominator}")
    return 100 * numerator * percent.denominator >= percent.numerator * denominator


def _ceil_div(numerator: int, denominator: int) -> int:
    """Returns the exact integer ceiling of numerator/denominator (denominator > 0)."""
    return -(-numerator // denominator)


def participation(c: Counts) -> Fraction | None:
    """Returns collected/households (0..1), or None when there are no households."""
    return Fraction(c.collected, c.households) if c.households else None


def satisfied_on(c: Counts, questions: Iterable[int]) -> int:
    """Returns the satisfied answers summed over the given questions (numbered from 1)."""
    return sum(c.satisfied[q - 1] for q in questions)


def rate(c: Counts, question: int) -> Fraction | None:
    """Returns satisfied/valid (0..1) for one question (from 1), or None without valid forms."""
    if not 1 <= question <= len(c.satisfied):
        raise ValueError(f"question must lie in 1..{len(c.satisfied)}, got {question}")
    return Fraction(c.satisfied[question - 1], c.valid) if c.valid > 0 else None


def average(c: Counts, form: Form = REFERENCE_FORM) -> Fraction | None:
    """Returns the mean rate of the form's averaged questions (0..1), None without valid forms."""
    if c.valid <= 0:
        return None
    return Fraction(satisfied_on(c, form.average), len(form.average) * c.valid)


def share_meets(c: Counts, questions: Sequence[int], percent: Fraction) -> bool:
    """Returns True when the satisfied share over `questions` reaches percent (False: no forms)."""
    if c.valid <= 0:
        return False
    return meets(satisfied_on(c, questions), len(questions) * c.valid, percent)


def households_left(c: Counts) -> int:
    """Returns how many households have not yet given their opinion (never below 0)."""
    return max(0, c.households - c.collected)


def households_needed(c: Counts, percent: Fraction) -> int:
    """Returns the fewest more households that bring participation to percent; 0 when met.

    The answer may exceed `households_left(c)`: then the threshold cannot be reached.
    """
    target = _ceil_div(percent.numerator * c.households, 100 * percent.denominator)
    return max(0, target - c.collected)


def forms_needed(c: Counts, questions: Sequence[int], percent: Fraction) -> int | None:
    """Returns the fewest extra valid forms, satisfied on every question, that reach percent.

    0 when already met; None when it would take more forms than households are left, or
    when percent is 100 and some answer is already unsatisfied. Without valid forms the
    share is undefined, so one satisfied form is needed.
    """
    if not questions:
        raise ValueError("forms_needed needs at least one question")
    satisfied = satisfied_on(c, questions)
    return _forms_gap(c.valid, households_left(c), satisfied, len(questions), _parts(percent))


def _parts(percent: Fraction) -> tuple[int, int]:
    return percent.numerator, percent.denominator


def _forms_gap(
    valid: int, left: int, satisfied: int, width: int, percent: tuple[int, int]
) -> int | None:
    """Returns `forms_needed` from the unit's figures: valid forms, households left, and the
    satisfied answers summed over `width` questions (the one place this is computed); the
    percent as its numerator and denominator."""
    numerator, denominator = percent
    # share_meets, spelled out: S / (w*v) >= p/100 in integers
    if valid > 0 and 100 * satisfied * denominator >= numerator * width * valid:
        return 0
    # (S + w*n) / (w*(v + n)) >= p/100  <=>  n * w*(100*p.den - p.num) >= w*v*p.num - 100*p.den*S
    shortfall = width * valid * numerator - 100 * denominator * satisfied
    gain = width * (100 * denominator - numerator)
    if gain == 0 and valid > 0:
        return None  # at 100 %, no number of extra forms makes up for an unsatisfied answer
    needed = max(1, _ceil_div(shortfall, gain)) if gain else 1
    return needed if needed <= left else None


def lowest_question(c: Counts, form: Form = REFERENCE_FORM) -> int | None:
    """Returns the averaged question with the lowest rate (first on ties), None without forms."""
    if c.valid <= 0:
        return None
    # every rate shares the denominator `valid`, so the fewest satisfied is the lowest rate
    return min(form.average, key=lambda q: c.satisfied[q - 1])


def projected_participation(c: Counts, p: Progress) -> Fraction | None:
    """Returns participation at the window's end at the pace so far (0..1), None without homes."""
    if c.households <= 0:
        return None
    projected = Fraction(c.collected * p.total_days, c.households * max(1, p.elapsed_days))
    return min(Fraction(1), projected)


# --- verdicts -----------------------------------------------------------------------------


def _pace_reaches(c: Counts, percent: Fraction, p: Progress) -> bool:
    """Returns True when collection so far, projected linearly to the window's end, reaches it."""
    # a first day's forms count as at least one day's pace, even before the window opens
    days = max(1, p.elapsed_days)
    return meets(c.collected * p.total_days, c.households * days, percent)


def participation_verdict(c: Counts, t: Thresholds, p: Progress) -> Verdict | None:
    """Returns the participation verdict, None without households or before anything started."""
    if c.households <= 0:
        return None
    if meets(c.collected, c.households, t.participation):
        return Verdict.MET
    if p.closed:
        return Verdict.NOT_MET
    if not p.started and c.collected == 0:
        return None
    return Verdict.ON_TRACK if _pace_reaches(c, t.participation, p) else Verdict.AT_RISK


def share_verdict(
    c: Counts, questions: Sequence[int], percent: Fraction, p: Progress
) -> Verdict | None:
    """Returns the verdict on the satisfied share over `questions`, None without valid forms."""
    return _share_verdict(c.valid, forms_needed(c, questions, percent), p)


def _share_verdict(valid: int, gap: int | None, p: Progress) -> Verdict | None:
    """Returns a share's verdict from its forms gap: no gap is met, an impossible one not met."""
    if valid <= 0:
        return None
    if gap == 0:
        return Verdict.MET
    if p.closed or gap is None:
        return Verdict.NOT_MET
    return Verdict.AT_RISK


def question_verdict(c: Counts, question: int, percent: Fraction, p: Progress) -> Verdict | None:
    """Returns the verdict on one question's rate, None without valid forms."""
    return share_verdict(c, (question,), percent, p)


def question_min_verdict(c: Counts, t: Thresholds, p: Progress) -> Verdict | None:
    """Returns the worst verdict of the averaged questions against `t.question_min`."""
    if t.question_min is None:
        return None
    return worst(question_verdict(c, q, t.question_min, p) for q in t.form.average)


def average_verdict(c: Counts, t: Thresholds, p: Progress) -> Verdict | None:
    """Returns the verdict on the averaged questions' mean against `t.average`."""
    if t.average is None:
        return None
    return share_verdict(c, t.form.average, t.average, p)


def overall_verdict(c: Counts, t: Thresholds, p: Progress) -> Verdict | None:
    """Returns the verdict on the overall question's rate against `t.overall`."""
    if t.overall is None or t.form.overall is None:
        return None
    return question_verdict(c, t.form.overall, t.overall, p)


# --- one unit's figures together ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measures:
    """Every figure, verdict and gap of one unit (the M object of SPEC §4.1).

    `verdicts` names the measures the campaign judges (`Thresholds.judged`), no others.
    `forms_needed` names each question with a threshold by its number ("1".."N") and the
    average as "average". The verdicts and gaps are judged when measured; the ratios are exact
    `Fraction`s made from the counts when read, since most readers of a province's 3,000
    hamlets read few of them.
    """

    counts: Counts
    form: Form
    verdicts: dict[str, Verdict | None]
    households_needed: int
    forms_needed: dict[str, int | None]
    # made at the first read and kept: a reader may read them once a question
    _rates: tuple[Fraction | None, ...] | None = field(default=None, init=False, compare=False)
    _average: tuple[Fraction | None] | None = field(default=None, init=False, compare=False)

    @property
    def participation(self) -> Fraction | None:
        """Returns collected/households (0..1), None without households."""
        return participation(self.counts)

    @property
    def rates(self) -> tuple[Fraction | None, ...]:
        """Returns the rate of every question, 1..N (0..1), each None without valid forms."""
        if self._rates is None:
            valid = self.counts.valid
            made = (
                tuple(Fraction(answers, valid) for answers in self.counts.satisfied)
                if valid > 0
                else (None,) * len(self.counts.satisfied)
            )
            object.__setattr__(self, "_rates", made)
            return made
        return self._rates

    @property
    def average(self) -> Fraction | None:
        """Returns the mean rate of the averaged questions (0..1), None without valid forms."""
        if self._average is None:
            made = (average(self.counts, self.form),)
            object.__setattr__(self, "_average", made)
            return made[0]
        return self._average[0]

    @property
    def overall(self) -> Fraction | None:
        """Returns the overall question's rate (0..1), None without it or without valid forms."""
        return None if self.form.overall is None else self.rates[self.form.overall - 1]


def question_threshold(question: int, t: Thresholds) -> Fraction | None:
    """Returns the threshold one question's rate is held to (None: it is not held to any)."""
    if question == t.form.overall:
        return t.overall
    return t.question_min if question in t.form.average else None


def measure(c: Counts, t: Thresholds, p: Progress) -> Measures:
    """Returns every figure, verdict and gap of the unit with totals `c`.

    Each share's gap is computed once and its verdict read from it: a summary measures
    thousands of hamlets, so this does in one pass what the single-figure functions above
    do one by one (a property test holds the two to the same answers).
    """
    form = t.form
    if len(c.satisfied) != form.questions:
        raise ValueError(
            f"the form asks {form.questions} questions, counts have {len(c.satisfied)}"
        )
    valid, left, satisfied = c.valid, households_left(c), c.satisfied
    gaps: dict[str, int | None] = {}
    verdicts: dict[str, Verdict | None] = {}
    verdicts["participation"] = participation_verdict(c, t, p)
    if t.question_min is not None:
        question = _parts(t.question_min)
        widest: int | None = 0  # the worst question's gap: None when one cannot be reached
        for number in form.average:
            gap = gaps[str(number)] = _forms_gap(valid, left, satisfied[number - 1], 1, question)
            if widest is not None and (gap is None or gap > widest):
                widest = gap
        verdicts["question_min"] = _share_verdict(valid, widest, p)
    if t.average is not None:
        on_average = sum(satisfied[number - 1] for number in form.average)
        width = len(form.average)
        gap = gaps["average"] = _forms_gap(valid, left, on_average, width, _parts(t.average))
        verdicts["average"] = _share_verdict(valid, gap, p)
    if t.overall is not None and form.overall is not None:
        answers = satisfied[form.overall - 1]
        gap = gaps[str(form.overall)] = _forms_gap(valid, left, answers, 1, _parts(t.overall))
        verdicts["overall"] = _share_verdict(valid, gap, p)
    return Measures(
        counts=c,
        form=form,
        verdicts=verdicts,
        households_needed=households_needed(c, t.participation),
        forms_needed=gaps,
    )


def district_question_min_verdict(
    communes: Sequence[Measures], own: Verdict | None, p: Progress
) -> Verdict | None:
    """Returns the district's question_min verdict: its own and every surveyed commune's worst.

    A commune without a verdict yet counts as at risk while the window is open and as not met
    once it has closed; None only when neither the district nor any commune has a verdict.
    """
    mine = [m.verdicts.get("question_min") for m in communes]
    if own is None and all(v is None for v in mine):
        return None
    pending = Verdict.NOT_MET if p.closed else Verdict.AT_RISK
    return worst([own, *(pending if v is None else v for v in mine)])


def measure_district(communes: Sequence[Measures], t: Thresholds, p: Progress) -> Measures:
    """Returns the district's measures from its surveyed communes' (question_min over all),
    its participation held to the district's threshold."""
    total = sum_counts((m.counts for m in communes), t.form.questions)
    own = measure(total, t.for_district(), p)
    if "question_min" not in own.verdicts:
        return own
    verdicts = dict(own.verdicts)
    verdicts["question_min"] = district_question_min_verdict(
        communes, own.verdicts["question_min"], p
    )
    return replace(own, verdicts=verdicts)
