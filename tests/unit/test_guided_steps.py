"""The guided tally's state machine (bot/chat/tally/guided_steps.py), step by step, no database.

Each test walks `advance` with facts as the shell would load them and checks what the user would
read (the Vietnamese of reporting/i18n/vi.py), where the tally stands and what it asks to be done.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.chat.tally.guided_draft import Draft, Step
from bot.chat.tally.guided_prompts import Facts, HamletDay, HamletFacts
from bot.chat.tally.guided_steps import (
    NAME_ONLY_STEPS,
    REPORT,
    DropDraft,
    Ending,
    Outcome,
    SubmitTally,
    advance,
)
from bot.chat.turn import Incoming, Kind
from reporting.campaign import load_campaign
from reporting.i18n import text
from reporting.tallies import Figures
from reporting.wording import level_words

CAMPAIGN = load_campaign()  # the reference campaign: its ten question labels
DAY = date(2024, 1, 28)
TOKEN = "a1b2c3d4"
LOCKED = text("chat.commune_locked", **level_words(CAMPAIGN.levels))
NA_MO = HamletFacts(17, "Xóm Nà Mỏ", HamletDay(limit=60, reported=False, locked=False))
DONG_CHU = HamletFacts(18, "Xóm Đồng Chú", HamletDay(limit=40, reported=False, locked=False))
NA_PHAY = HamletFacts(19, "Xóm Nà Phày", HamletDay(limit=30, reported=False, locked=False))

COLLECTED = (
    "📝 Báo cáo ngày 28/01/2024 — Xóm Nà Mỏ\n"
    "Bước 1: Hôm nay xóm thu về bao nhiêu phiếu? (từ 0 đến 60)"
)
NOTE = "Kiến nghị, ý kiến của người dân (nếu có): gõ vào đây, hoặc chọn Bỏ qua."
PICK = "Xin chọn một trong các mục dưới đây (gõ số thứ tự hoặc tên của mục)."
STUCK = text(
    "chat.stuck_help",
    columns="C1 C2 C3 C4 C5 C6 C7 C8 C9 C10",
    example="45 44 43 45 45 42 44 45 44 45 45",
)
FIELDS = ["Phiếu thu về", "Không hợp lệ", *(f"Câu {n}" for n in range(1, 11)), "Kiến nghị"]
TYPICAL = ["45", "0", "44", "45", "43", "45", "42", "44", "45", "41", "45", "45"]


def on_day(hamlet: HamletFacts, **changes: bool) -> HamletFacts:
    """Returns the hamlet with its standing that day changed (reported, locked)."""
    assert hamlet.day is not None
    return replace(hamlet, day=replace(hamlet.day, **changes))


def facts(*hamlets: HamletFacts, for_commune: bool = False, day: date = DAY) -> Facts:
    """Returns what the shell would load on 28/01/2024 for these hamlets."""
    return Facts(
        lang="vi",
        day=day,
        collection=CAMPAIGN.phases.collection,
        questions=CAMPAIGN.questions,
        token=TOKEN,
        hamlets=hamlets or (NA_MO,),
        for_commune=for_commune,
    )


LEADER = facts(NA_MO)
CHAIR = facts(NA_MO, DONG_CHU, NA_PHAY, for_commune=True)


def typed(words: str) -> Incoming:
    """Returns a typed message."""
    return Incoming(Kind.TEXT, text=words)


def pressed(value: str) -> Incoming:
    """Returns a button press (the router has checked its token already)."""
    return Incoming(Kind.BUTTON, value=value, token=f"{TOKEN}:x:")


def walk(*answers: Incoming | str, known: Facts = LEADER) -> Outcome:
    """Opens a tally with /report and gives the answers in turn; returns the last outcome."""
    outcome = advance(Step.NEW, Draft(), REPORT, known)
    for answer in answers:
        assert outcome.state is not None, "the tally ended before every answer was given"
        given = typed(answer) if isinstance(answer, str) else answer
        outcome = advance(outcome.state, outcome.draft, given, known)
    return outcome


def said(outcome: Outcome) -> list[str]:
    """Returns the prompts' texts."""
    return [prompt.text for prompt in outcome.prompts]


def buttons(outcome: Outcome) -> list[str]:
    """Returns the labels of the last prompt's choices."""
    return [choice.label for choice in outcome.prompts[-1].choices]


def invalid_prompt(collected: int) -> str:
    """Returns step 2's question for `collected` forms."""
    return (
        f"Bước 2: Trong {collected} phiếu, có bao nhiêu phiếu không hợp lệ? "
        f"(từ 0 đến {collected}; không có thì chọn 0)"
    )


def question(number: int, valid: int = 45) -> str:
    """Returns the prompt of question `number`."""
    label = CAMPAIGN.questions[number - 1]
    return f"Câu {number}/10 — {label}: bao nhiêu phiếu hài lòng? (từ 0 đến {valid})"


# --- opening ---------------------------------------------------------------------------------


def test_hamlet_leader_is_asked_the_collected_forms_with_hamlet_and_day_first() -> None:
    outcome = walk()
    assert (outcome.state, said(outcome), buttons(outcome)) == (Step.COLLECTED, [COLLECTED], [])
    assert outcome.draft == Draft(hamlet_id=NA_MO.id)
    assert outcome.effects == ()


def test_outside_the_collection_days_no_draft_is_opened() -> None:
    outcome = advance(Step.NEW, Draft(), REPORT, facts(day=date(2024, 2, 10)))
    assert outcome.state is None
    assert said(outcome) == [
        text("chat.not_collection_day", day="10/02/2024", start="27/01/2024", end="03/02/2024")
    ]
    assert outcome.effects == ()


def test_locked_commune_refuses_and_drops_the_draft() -> None:
    outcome = walk(known=facts(on_day(NA_MO, locked=True)))
    assert (outcome.state, said(outcome)) == (None, [LOCKED])
    assert outcome.effects == (DropDraft(Ending.LOCKED),)


def test_existing_tally_today_is_mentioned_first_with_a_question_to_replace_it() -> None:
    outcome = walk(known=facts(on_day(NA_MO, reported=True)))
    assert outcome.state is Step.REPLACE
    assert said(outcome) == [
        "Xóm Nà Mỏ đã có báo cáo ngày 28/01/2024. Gửi lại sẽ THAY số liệu cũ (số cũ vẫn được "
        "lưu lại). Bạn muốn gửi lại không?"
    ]
    assert buttons(outcome) == ["Có, gửi lại", "Không"]
    assert outcome.prompts[0].token == f"{TOKEN}:replace:"


def test_replace_yes_asks_the_collected_forms() -> None:
    outcome = walk(pressed("yes"), known=facts(on_day(NA_MO, reported=True)))
    assert (outcome.state, said(outcome)) == (Step.COLLECTED, [COLLECTED])


def test_replace_no_keeps_the_old_tally_and_drops_the_draft() -> None:
    outcome = walk("không", known=facts(on_day(NA_MO, reported=True)))
    assert (outcome.state, said(outcome)) == (None, ["Được, giữ nguyên số liệu đã gửi."])
    assert outcome.effects == (DropDraft(Ending.KEPT_OLD),)


def test_replace_answered_with_something_else_asks_again() -> None:
    outcome = walk("có lẽ", known=facts(on_day(NA_MO, reported=True)))
    assert outcome.state is Step.REPLACE
    assert said(outcome)[0] == PICK
    assert buttons(outcome) == ["Có, gửi lại", "Không"]


def test_report_again_mid_way_shows_the_same_question_and_changes_nothing() -> None:
    before = walk("45", "0", "44")
    outcome = advance(Step.SATISFIED, before.draft, REPORT, LEADER)
    assert outcome.state is Step.SATISFIED
    assert said(outcome) == [text("chat.draft_resumed"), question(2)]
    assert outcome.draft == before.draft


# --- commune users pick a hamlet -------------------------------------------------------------


def test_commune_user_is_offered_the_communes_hamlets_first() -> None:
    outcome = walk(known=CHAIR)
    assert (outcome.state, said(outcome)) == (Step.HAMLET, ["Báo cáo giúp xóm nào? Chọn một xóm:"])
    assert buttons(outcome) == ["Xóm Nà Mỏ", "Xóm Đồng Chú", "Xóm Nà Phày"]
    assert [c.value for c in outcome.prompts[0].choices] == ["17", "18", "19"]
    assert outcome.draft.hamlet_id is None


@pytest.mark.parametrize(
    "answer",
    [pressed("18"), typed("2"), typed("Xóm Đồng Chú"), typed("dong chu"), typed("Đồng Chú")],
    ids=["button", "number", "label", "name-without-accents", "name-without-level"],
)
def test_commune_user_picks_a_hamlet_by_button_number_label_or_name(answer: Incoming) -> None:
    outcome = walk(answer, known=CHAIR)
    assert outcome.state is Step.COLLECTED
    assert outcome.draft.hamlet_id == DONG_CHU.id
    assert said(outcome) == [
        "📝 Báo cáo ngày 28/01/2024 — Xóm Đồng Chú\n"
        "Bước 1: Hôm nay xóm thu về bao nhiêu phiếu? (từ 0 đến 40)"
    ]


@pytest.mark.parametrize(
    "answer",
    [typed("xom"), typed("Xóm Nà"), typed("4"), pressed("99"), typed("Bản Lác")],
    ids=["every-name", "two-names", "no-such-number", "stale-button", "another-commune"],
)
def test_no_single_hamlet_meant_asks_to_pick_from_the_list_again(answer: Incoming) -> None:
    outcome = walk(answer, known=CHAIR)
    assert outcome.state is Step.HAMLET
    assert said(outcome) == [PICK, "Báo cáo giúp xóm nào? Chọn một xóm:"]
    assert outcome.draft.wrong == 1


def test_commune_user_picking_a_hamlet_with_a_tally_today_is_asked_to_replace() -> None:
    chair = facts(NA_MO, on_day(DONG_CHU, reported=True), for_commune=True)
    outcome = walk(pressed("18"), known=chair)
    assert outcome.state is Step.REPLACE
    assert said(outcome)[0].startswith("Xóm Đồng Chú đã có báo cáo ngày 28/01/2024.")


def test_commune_user_picking_a_hamlet_of_a_locked_commune_is_refused() -> None:
    chair = facts(on_day(NA_MO, locked=True), for_commune=True)
    outcome = walk("1", known=chair)
    assert (outcome.state, said(outcome)) == (None, [LOCKED])
    assert outcome.effects == (DropDraft(Ending.LOCKED),)


# --- wrong answers -----------------------------------------------------------------------------

WRONG = [
    ("abc", "«abc» không phải là số; cần số nguyên từ 0 trở lên, ví dụ 45."),
    ("-3", "«-3» là số âm; cần số nguyên từ 0 trở lên."),
    ("4,5", text("import.count_decimal", value="4,5")),
    ("9" * 5000, text("import.count_too_big", value="9" * 20 + "…")),
]


@pytest.mark.parametrize(
    ("answer", "problem"), [*WRONG, ("75", text("chat.over_limit", value="75", limit="60"))]
)
def test_wrong_collected_forms_get_the_error_and_the_same_question(
    answer: str, problem: str
) -> None:
    outcome = walk(answer)
    assert (outcome.state, said(outcome)) == (Step.COLLECTED, [problem, COLLECTED])
    assert outcome.draft.wrong == 1


@pytest.mark.parametrize(
    ("answer", "problem"),
    [*WRONG, ("46", "Số 46 lớn hơn mức cho phép. Cần một số từ 0 đến 45.")],
)
def test_wrong_invalid_forms_get_the_error_and_the_same_question(
    answer: str, problem: str
) -> None:
    outcome = walk("45", answer)
    assert (outcome.state, said(outcome)) == (Step.INVALID, [problem, invalid_prompt(45)])
    assert buttons(outcome) == ["0"]


@pytest.mark.parametrize(
    ("answer", "problem"),
    [*WRONG, ("41", "Số 41 lớn hơn mức cho phép. Cần một số từ 0 đến 40.")],
)
def test_wrong_satisfied_counts_get_the_error_and_the_same_question(
    answer: str, problem: str
) -> None:
    outcome = walk("45", "5", "40", "40", answer)
    assert (outcome.state, said(outcome)) == (Step.SATISFIED, [problem, question(3, 40)])
    assert buttons(outcome) == ["Tất cả (40)"]
    assert outcome.draft.satisfied == (40, 40)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("٣", text("import.count_not_number", value="٣")),
        ("75", text("chat.over_limit", value="75", limit="60")),
    ],
)
def test_a_forged_button_value_is_read_like_a_typed_count(value: str, problem: str) -> None:
    outcome = walk(pressed(value))
    assert (outcome.state, said(outcome)) == (Step.COLLECTED, [problem, COLLECTED])


def test_superscript_and_circled_digits_are_the_digits_they_show() -> None:
    assert walk("²", pressed("①")).draft.invalid == 1
    assert walk("③").draft.collected == 3


def test_third_wrong_answer_in_a_row_also_shows_the_one_line_format() -> None:
    first, second, third = (walk(*["abc", "-3", "4,5"][:n]) for n in (1, 2, 3))
    assert (len(first.prompts), len(second.prompts)) == (2, 2)
    assert said(third) == [text("import.count_decimal", value="4,5"), STUCK, COLLECTED]
    assert "/baocao PHIẾU_THU C1 C2 C3 C4 C5 C6 C7 C8 C9 C10" in STUCK
    assert third.draft.wrong == 0  # the help comes again only after three more


def test_a_right_answer_starts_the_count_of_wrong_answers_again() -> None:
    outcome = walk("abc", "x", "45", "y")
    assert outcome.state is Step.INVALID
    assert said(outcome) == [text("import.count_not_number", value="y"), invalid_prompt(45)]
    assert outcome.draft.wrong == 1


def test_wrong_picks_count_towards_the_help_too() -> None:
    outcome = walk(*TYPICAL, "Bỏ qua", "gui di", "hmm", "???")
    assert outcome.state is Step.REVIEW
    assert said(outcome)[:2] == [PICK, STUCK]
    assert buttons(outcome) == ["Gửi", "Sửa", "Hủy"]


# --- the questions ----------------------------------------------------------------------------


def test_invalid_forms_answered_ask_question_one_with_all_valid_forms_as_a_button() -> None:
    outcome = walk("45", pressed("0"))
    assert (outcome.state, said(outcome), buttons(outcome)) == (
        Step.SATISFIED,
        [question(1)],
        ["Tất cả (45)"],
    )
    assert outcome.prompts[0].token == f"{TOKEN}:satisfied:1"
    assert outcome.draft.question == 1


@pytest.mark.parametrize("answer", [pressed("all"), typed("tat ca"), typed("Tất cả (45)")])
def test_all_counts_every_valid_form_as_satisfied(answer: Incoming) -> None:
    outcome = walk("45", "0", answer)
    assert outcome.draft.satisfied == (45,)
    assert said(outcome) == [question(2)]
    assert outcome.prompts[0].token == f"{TOKEN}:satisfied:2"


def test_after_the_tenth_question_the_note_is_asked_with_skip() -> None:
    outcome = walk(*TYPICAL)
    assert (outcome.state, said(outcome), buttons(outcome)) == (Step.NOTE, [NOTE], ["Bỏ qua"])
    assert outcome.draft.satisfied == (44, 45, 43, 45, 42, 44, 45, 41, 45, 45)


def test_every_form_invalid_skips_the_questions() -> None:
    outcome = walk("12", "12")
    assert (outcome.state, said(outcome)) == (Step.NOTE, [NOTE])
    assert outcome.draft.satisfied == (0,) * 10


def test_no_forms_at_all_skips_the_questions_too() -> None:
    outcome = walk("0", "0", "Bỏ qua")
    assert outcome.state is Step.REVIEW
    assert "Phiếu thu về: 0 · không hợp lệ: 0 · hợp lệ: 0" in said(outcome)[0]


def test_skip_leaves_no_note_and_shows_the_summary() -> None:
    outcome = walk(*TYPICAL, "bo qua")
    assert outcome.state is Step.REVIEW
    assert said(outcome) == [
        "📋 Kiểm tra lại báo cáo ngày 28/01/2024 — Xóm Nà Mỏ\n"
        "Phiếu thu về: 45 · không hợp lệ: 0 · hợp lệ: 45\n"
        + "".join(
            f"Câu {n} ({CAMPAIGN.questions[n - 1]}): {s} hài lòng\n"
            for n, s in enumerate([44, 45, 43, 45, 42, 44, 45, 41, 45, 45], 1)
        )
        + "Kiến nghị: —\n"
        "Đúng rồi thì chọn Gửi. Cần sửa thì chọn Sửa."
    ]
    assert buttons(outcome) == ["Gửi", "Sửa", "Hủy"]
    assert outcome.prompts[0].columns == 3
    assert (outcome.draft.note, outcome.draft.note_answered) == (None, True)


def test_a_typed_note_is_kept_trimmed_and_at_most_a_thousand_characters() -> None:
    outcome = walk(*TYPICAL, "  Đề nghị sửa đường liên xóm  ")
    assert "Kiến nghị: Đề nghị sửa đường liên xóm\n" in said(outcome)[0]
    long = walk(*TYPICAL, "x" * 1500)
    assert long.draft.note == "x" * 1000


# --- the summary: Gửi, Sửa, Hủy -------------------------------------------------------------

SUMMARY = [*TYPICAL, "Bỏ qua"]


@pytest.mark.parametrize("answer", [pressed("send"), typed("1"), typed("GỬI")])
def test_send_asks_to_store_the_figures_and_keeps_the_summary_for_a_refusal(
    answer: Incoming,
) -> None:
    review = walk(*SUMMARY)
    outcome = walk(*SUMMARY, answer)
    satisfied = (44, 45, 43, 45, 42, 44, 45, 41, 45, 45)
    [submit] = outcome.effects
    assert submit == SubmitTally(NA_MO.id, DAY, Figures(45, 0, satisfied, None), review.prompts)
    assert (outcome.state, outcome.prompts) == (Step.REVIEW, ())


def test_cancel_on_the_summary_drops_the_draft() -> None:
    outcome = walk(*SUMMARY, pressed("cancel"))
    assert (outcome.state, said(outcome)) == (None, ["Đã hủy. Chưa có gì được gửi."])
    assert outcome.effects == (DropDraft(Ending.CANCELLED),)


def test_something_else_on_the_summary_asks_to_pick_and_shows_it_again() -> None:
    review = walk(*SUMMARY)
    outcome = walk(*SUMMARY, "gui di")
    assert said(outcome) == [PICK, *said(review)]
    assert (outcome.state, outcome.effects) == (Step.REVIEW, ())


def test_a_button_of_another_question_is_no_choice_on_the_summary() -> None:
    outcome = walk(*SUMMARY, pressed("all"))
    assert said(outcome)[0] == PICK
    assert outcome.state is Step.REVIEW


def test_edit_offers_every_field() -> None:
    outcome = walk(*SUMMARY, pressed("edit"))
    assert (outcome.state, said(outcome), buttons(outcome)) == (
        Step.EDIT_PICK,
        ["Sửa mục nào?"],
        FIELDS,
    )
    assert outcome.prompts[0].columns == 3


def test_edit_offers_no_question_when_there_are_no_valid_forms() -> None:
    outcome = walk("0", "0", "Bỏ qua", "Sửa")
    assert buttons(outcome) == ["Phiếu thu về", "Không hợp lệ", "Kiến nghị"]


def test_edit_pick_answered_with_something_else_asks_again() -> None:
    outcome = walk(*SUMMARY, "Sửa", "câu 11")
    assert (outcome.state, said(outcome)) == (Step.EDIT_PICK, [PICK, "Sửa mục nào?"])


def test_editing_a_question_asks_it_again_and_returns_to_the_summary() -> None:
    asked = walk(*SUMMARY, "Sửa", pressed("3"))
    assert (asked.state, said(asked), buttons(asked)) == (
        Step.EDIT_VALUE,
        [question(3)],
        ["Tất cả (45)"],
    )
    outcome = walk(*SUMMARY, "Sửa", pressed("3"), "40")
    assert outcome.state is Step.REVIEW
    assert outcome.draft.satisfied == (44, 45, 40, 45, 42, 44, 45, 41, 45, 45)
    assert f"Câu 3 ({CAMPAIGN.questions[2]}): 40 hài lòng" in said(outcome)[0]


def test_an_edited_question_above_the_valid_forms_is_refused() -> None:
    outcome = walk(*SUMMARY, "Sửa", "Câu 3", "46")
    assert outcome.state is Step.EDIT_VALUE
    assert said(outcome) == [text("chat.over_limit", value="46", limit="45"), question(3)]


def test_editing_the_note_replaces_it_or_skips_it() -> None:
    asked = walk(*SUMMARY, "Sửa", "Kiến nghị")
    assert (asked.state, said(asked), buttons(asked)) == (Step.EDIT_VALUE, [NOTE], ["Bỏ qua"])
    noted = walk(*SUMMARY, "Sửa", "Kiến nghị", "Cần thêm đèn đường")
    assert noted.state is Step.REVIEW
    assert noted.draft.note == "Cần thêm đèn đường"
    assert "Kiến nghị: Cần thêm đèn đường\n" in said(noted)[0]
    skipped = advance(Step.EDIT_VALUE, noted.draft.but(editing="note"), pressed("skip"), LEADER)
    assert skipped.draft.note is None


def test_editing_the_collected_forms_asks_within_the_hamlets_limit() -> None:
    asked = walk(*SUMMARY, "Sửa", "phieu thu ve")
    assert said(asked) == ["Số phiếu thu về đúng là bao nhiêu? (từ 0 đến 60)"]
    assert asked.prompts[0].choices == ()
    wrong = walk(*SUMMARY, "Sửa", "phieu thu ve", "61")
    assert said(wrong)[0] == "Số 61 lớn hơn mức cho phép. Cần một số từ 0 đến 60."


def test_more_collected_forms_that_still_fit_go_straight_back_to_the_summary() -> None:
    outcome = walk(*SUMMARY, "Sửa", "Phiếu thu về", "46")
    assert outcome.state is Step.REVIEW
    assert "Phiếu thu về: 46 · không hợp lệ: 0 · hợp lệ: 46" in said(outcome)[0]
    assert outcome.draft.satisfied == (44, 45, 43, 45, 42, 44, 45, 41, 45, 45)


def test_fewer_valid_forms_after_an_edit_asks_every_question_again() -> None:
    asked = walk(*SUMMARY, "Sửa", "Không hợp lệ")
    assert said(asked) == ["Số phiếu không hợp lệ đúng là bao nhiêu? (từ 0 đến 45)"]
    outcome = walk(*SUMMARY, "Sửa", "Không hợp lệ", "5")
    assert outcome.state is Step.SATISFIED
    assert said(outcome) == [
        "Số phiếu hợp lệ nay là 40: xin nhập lại số phiếu hài lòng của từng câu.",
        question(1, 40),
    ]
    assert (outcome.draft.satisfied, outcome.draft.question) == ((), 1)
    # the note was answered already: after the tenth question, the summary
    final = walk(*SUMMARY, "Sửa", "Không hợp lệ", "5", *["40"] * 10)
    assert final.state is Step.REVIEW
    assert "Phiếu thu về: 45 · không hợp lệ: 5 · hợp lệ: 40" in said(final)[0]


def test_fewer_collected_forms_than_invalid_ones_asks_the_invalid_forms_again() -> None:
    outcome = walk("45", "10", *["35"] * 10, "Bỏ qua", "Sửa", "Phiếu thu về", "8")
    assert (outcome.state, said(outcome)) == (Step.INVALID, [invalid_prompt(8)])
    after = advance(Step.INVALID, outcome.draft, typed("3"), LEADER)
    assert said(after) == [question(1, 5)]


def test_every_form_made_invalid_by_an_edit_shows_the_summary_with_no_one_satisfied() -> None:
    outcome = walk(*SUMMARY, "Sửa", "Không hợp lệ", "45")
    assert outcome.state is Step.REVIEW
    assert outcome.draft.satisfied == (0,) * 10
    assert "Phiếu thu về: 45 · không hợp lệ: 45 · hợp lệ: 0" in said(outcome)[0]


def test_valid_forms_appearing_after_an_edit_asks_the_questions_never_asked() -> None:
    outcome = walk("0", "0", "Bỏ qua", "Sửa", "Phiếu thu về", "30")
    assert outcome.state is Step.SATISFIED
    assert said(outcome) == [
        "Số phiếu hợp lệ nay là 30: xin nhập lại số phiếu hài lòng của từng câu.",
        question(1, 30),
    ]


# --- the draft as stored --------------------------------------------------------------------


def test_a_draft_survives_its_json_form() -> None:
    draft = walk(*SUMMARY, "Sửa", "Câu 3").draft
    assert Draft.from_json(draft.to_json()) == draft
    assert draft.to_json() == {
        "hamlet_id": 17,
        "collected": 45,
        "invalid": 0,
        "satisfied": [44, 45, 43, 45, 42, 44, 45, 41, 45, 45],
        "question": 10,
        "editing": "3",
        "note": None,
        "wrong": 0,
    }


def test_drafts_stored_before_the_machine_load_and_continue() -> None:
    # as the earlier code left them: keys only once answered, the note absent until asked
    at_hamlet = Draft.from_json({})
    assert at_hamlet == Draft()
    stored = {"hamlet_id": 17, "satisfied": [45, 44], "wrong": 2, "collected": 45}
    stored |= {"invalid": 0, "question": 3}
    draft = Draft.from_json(stored)
    assert (draft.note_answered, draft.valid, draft.wrong) == (False, 45, 2)
    outcome = advance(Step.SATISFIED, draft, typed("x"), LEADER)
    assert said(outcome) == [text("import.count_not_number", value="x"), STUCK, question(3)]


@pytest.mark.parametrize("state", sorted(NAME_ONLY_STEPS))
@pytest.mark.parametrize("answer", ["45", "abc", "Tất cả (45)", "Bỏ qua", "Gửi", "Sửa"])
def test_the_name_only_steps_need_nothing_of_the_hamlet_but_its_name(
    state: Step, answer: str
) -> None:
    draft = Draft(hamlet_id=17, collected=45, invalid=0, satisfied=(45,) * 5, question=6)
    if state in (Step.NOTE, Step.REVIEW):
        draft = draft.but(satisfied=(45,) * 10, question=None, note_answered=True)
    name_only = facts(HamletFacts(17, "Xóm Nà Mỏ"))
    for given in (typed(answer), REPORT):
        outcome = advance(state, draft, given, name_only)  # would fail on a missing fact
        assert outcome.prompts or outcome.effects
