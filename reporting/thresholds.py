"""What the measures are held to (SPEC §2.4): the campaign's form and its thresholds.

The form says which questions are averaged and which one is the overall question; the
thresholds are exact `Fraction` percents in (0, 100], each naming a measure of `MEASURES`
that the campaign judges. Pure: `reporting.measures` judges counts against them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from fractions import Fraction

MEASURES = ("participation", "question_min", "average", "overall")  # every measure, in order


@dataclass(frozen=True, slots=True)
class Form:
    """The campaign's questions as the measures judge them: how many, which are averaged
    (each of them also held to `question_min`), and which one is the overall question.

    The reference form asks 10 questions, averages 1–9 and asks the overall one last.
    """

    questions: int = 10
    average: tuple[int, ...] = tuple(range(1, 10))
    overall: int | None = 10

    def __post_init__(self) -> None:
        object.__setattr__(self, "average", tuple(self.average))
        if self.questions < 2:
            raise ValueError(f"a form asks at least 2 questions, got {self.questions}")
        numbers = range(1, self.questions + 1)
        if not self.average or any(q not in numbers for q in self.average):
            raise ValueError(f"the averaged questions must lie in 1..{self.questions}")
        if len(set(self.average)) != len(self.average):
            raise ValueError("a question is averaged twice")
        if self.overall is not None and (
            self.overall not in numbers or self.overall in self.average
        ):
            raise ValueError(
                f"the overall question must lie in 1..{self.questions}, outside the average"
            )

    @property
    def numbers(self) -> range:
        """Returns the question numbers, 1..questions."""
        return range(1, self.questions + 1)


REFERENCE_FORM = Form()


def _percent(value: Fraction | int | float | None) -> Fraction | None:
    """Returns `value` as a Fraction percent (None stays None), refusing all outside (0, 100]."""
    if value is None:
        return None
    # a float from TOML such as 79.99 means the decimal written, not its binary approximation
    percent = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    if not 0 < percent <= 100:
        raise ValueError(f"a threshold is a percent in (0, 100], got {value}")
    return percent


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The campaign's thresholds, in exact percents in (0, 100], and the form they judge.

    Participation is always judged. Another threshold left out (None) is not: its measure
    has no verdict and no gap. `participation` holds each commune (and hamlet);
    `district_participation` the district, the same as `participation` unless the campaign
    says otherwise.
    """

    participation: Fraction
    question_min: Fraction | None
    average: Fraction | None
    overall: Fraction | None
    district_participation: Fraction | None = None
    form: Form = REFERENCE_FORM

    def __post_init__(self) -> None:
        for each in fields(self):
            if each.name != "form":
                object.__setattr__(self, each.name, _percent(getattr(self, each.name)))
        if self.participation is None:
            raise ValueError("participation is always judged: it needs a threshold")
        if self.district_participation is None:
            object.__setattr__(self, "district_participation", self.participation)
        if self.overall is not None and self.form.overall is None:
            raise ValueError("an overall threshold needs an overall question")

    @property
    def judged(self) -> tuple[str, ...]:
        """Returns the names of the measures this campaign judges, in the order of MEASURES."""
        return tuple(name for name in MEASURES if getattr(self, name) is not None)

    def for_district(self) -> Thresholds:
        """Returns these thresholds with the district's participation threshold in place."""
        return replace(self, participation=self.district_participation or self.participation)


REFERENCE_THRESHOLDS = Thresholds(Fraction(70), Fraction(80), Fraction(90), Fraction(95))
