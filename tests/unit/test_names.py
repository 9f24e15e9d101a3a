"""Unit names: folding for look-ups, and finding units the way users type them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pytest

from reporting.names import clean, find_units, fold, match_key, matches


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Định Biên", "dinh bien"),
        ("ĐỊNH BIÊN", "dinh bien"),
        ("  Định   Biên ", "dinh bien"),
        ("Xóm Nà Mò", "xom na mo"),
        ("Đồng Thịnh", "dong thinh"),
        ("Lam Vỹ", "lam vy"),
        ("Phượng Tiến", "phuong tien"),
        ("Tổ dân phố Hòa Bình", "to dan pho hoa binh"),
        ("Xóm\tBản\nPậu", "xom ban pau"),
    ],
)
def test_fold_drops_case_diacritics_and_extra_spaces(name: str, key: str) -> None:
    assert fold(name) == key


def test_fold_treats_decomposed_and_composed_text_alike() -> None:
    decomposed = unicodedata.normalize("NFD", "Điềm Mặc")
    assert decomposed != "Điềm Mặc"
    assert fold(decomposed) == fold("Điềm Mặc") == "diem mac"


def test_fold_maps_stroked_d_which_nfd_leaves_whole() -> None:
    assert unicodedata.normalize("NFD", "đ") == "đ"
    assert fold("Đđ") == "dd"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Xóm Nà Mò", "na mo"),
        ("thôn Nà Mò", "na mo"),
        ("Nà Mò", "na mo"),
        ("xã Định Biên", "dinh bien"),
        ("Thị trấn Chợ Chu", "cho chu"),
        ("TT. Chợ Chu", "cho chu"),
        ("Tổ dân phố Hòa Bình", "hoa binh"),
        ("TDP Hòa Bình", "hoa binh"),
        ("Xóm Làng Mới", "lang moi"),
        ("Xom Lang Moi", "lang moi"),
        ("Xóm", "xom"),
        ("Phường Tiến", "tien"),
        ("Phượng Tiến", "phuong tien"),
        ("Xa Lý", "xa ly"),
    ],
)
def test_match_key_drops_one_leading_level_word(name: str, key: str) -> None:
    assert match_key(name) == key


def test_a_name_that_only_looks_like_a_level_word_keeps_it() -> None:
    assert find_units("phuong tien", COMMUNES) == ["Phượng Tiến"]
    assert find_units("Phượng Tiến", COMMUNES) == ["Phượng Tiến"]


def test_clean_keeps_diacritics_trims_and_composes() -> None:
    assert clean(unicodedata.normalize("NFD", "  Xóm   Nà  Mò ")) == "Xóm Nà Mò"


COMMUNES = ["Bảo Cường", "Bảo Linh", "Định Biên", "Phú Đình", "Phú Tiến", "Phượng Tiến"]


def test_find_units_without_diacritics_finds_the_commune() -> None:
    assert find_units("dinh bien", COMMUNES) == ["Định Biên"]
    assert find_units("DINH BIEN", COMMUNES) == ["Định Biên"]
    assert find_units("xa dinh bien", COMMUNES) == ["Định Biên"]


@pytest.mark.parametrize("query", ["xom na mo", "na mo", "Nà Mò", "thon na mo", "XÓM NÀ MÒ"])
def test_find_units_finds_a_hamlet_with_or_without_its_level_word(query: str) -> None:
    assert find_units(query, ["Xóm Nà Tấc", "Xóm Nà Mò", "Xóm Bản Pậu"]) == ["Xóm Nà Mò"]


def test_find_units_prefers_exact_over_prefix_matches() -> None:
    names = ["Xóm Bình Thành Mới", "Xóm Bình Thành"]
    assert find_units("binh thanh", names) == ["Xóm Bình Thành"]


def test_find_units_falls_back_to_prefixes_then_to_inner_matches() -> None:
    assert find_units("phu", COMMUNES) == ["Phú Đình", "Phú Tiến", "Phượng Tiến"]
    assert find_units("tien", COMMUNES) == ["Phú Tiến", "Phượng Tiến"]
    assert find_units("phutien", COMMUNES) == ["Phú Tiến"]


def test_find_units_returns_every_unit_with_the_same_name() -> None:
    names = ["Xóm Trung Tâm", "Xóm Đồng Chùa", "Xóm Trung Tâm"]
    assert find_units("trung tam", names) == ["Xóm Trung Tâm", "Xóm Trung Tâm"]


def test_find_units_offers_all_names_that_fold_alike_when_typed_without_marks() -> None:
    names = ["Xóm Đông Tâm", "Xóm Đồng Tâm", "Xóm Đồng Tầm"]
    assert find_units("dong tam", names) == names


def test_find_units_picks_the_spelling_typed_with_its_diacritics() -> None:
    names = ["Xóm Đông Tâm", "Xóm Đồng Tâm", "Xóm Đồng Tầm"]
    assert find_units("Đông Tâm", names) == ["Xóm Đông Tâm"]
    assert find_units("thôn đồng tầm", names) == ["Xóm Đồng Tầm"]


@pytest.mark.parametrize("query", ["", "   ", "xyz"])
def test_find_units_finds_nothing_for_empty_or_unknown_queries(query: str) -> None:
    assert find_units(query, COMMUNES) == []


@dataclass(frozen=True)
class Hamlet:
    commune: str
    name: str


def test_find_units_returns_the_units_themselves_given_a_name_function() -> None:
    hamlets = [Hamlet("Bảo Cường", "Xóm Trung Tâm"), Hamlet("Phú Đình", "Xóm Trung Tâm")]
    found = find_units("xom trung tam", hamlets, lambda hamlet: hamlet.name)
    assert [hamlet.commune for hamlet in found] == ["Bảo Cường", "Phú Đình"]


def test_matches_tells_whether_a_query_finds_a_name() -> None:
    assert matches("na mo", "Xóm Nà Mò")
    assert matches("dinh", "Định Biên")
    assert not matches("bien dinh", "Định Biên")
