"""Masking of names and phones shown on public pages."""

import pytest

from quizapp.domain.masking import mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张小明", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("诸葛亮", "诸葛*"),
        ("上官婉儿", "上官**"),
        ("万俟卨", "万俟*"),
        ("欧阳", "欧*"),  # a compound surname alone keeps only its first character
        ("王", "*"),
        ("A", "*"),
        ("", ""),
        ("  李四  ", "李*"),  # surrounding spaces do not count as characters
        ("阿卜杜·艾尼", "阿*****"),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_mask_name_latin_keeps_first_letter_and_masks_spaces():
    assert mask_name("John Smith") == "J*********"
    assert len(mask_name("John Smith")) == len("John Smith")


def test_mask_name_never_reveals_given_name():
    masked = mask_name("张小明")
    assert "小" not in masked and "明" not in masked


def test_mask_name_handles_none_like_empty():
    assert mask_name(None) == ""


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("19900001111", "199****1111"),
        ("+8613812341234", "+86*********34"),
        ("12345678", "123****8"),
        ("010-1234", "010****4"),
        ("1234", "****"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_phone_keeps_length_and_hides_middle():
    masked = mask_phone("13812345678")
    assert len(masked) == 11
    assert "2345" not in masked


def test_mask_phone_odd_value_keeps_at_most_three_and_two():
    masked = mask_phone("ABCDEFGHIJKLMNOP")
    assert masked.startswith("ABC") and masked.endswith("OP")
    assert masked[3:-2] == "*" * 11
