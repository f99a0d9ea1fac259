"""Registration validation and phone normalisation."""

import pytest

from quizapp.domain.errors import ValidationError
from quizapp.domain.participants import Registration, normalize_phone, validate_registration

REGIONS = ["呼和浩特市", "包头市"]


def valid(**overrides):
    data = {"name": "张三", "phone": "13812341234", "region": "包头市", "consent": True}
    data.update(overrides)
    return data


def errors_of(data, regions=REGIONS):
    with pytest.raises(ValidationError) as info:
        validate_registration(data, regions)
    return info.value.fields


@pytest.mark.parametrize(
    "raw",
    [
        "13812341234",
        "138 1234 1234",
        "138-1234-1234",
        "+86 138 1234 1234",
        "+8613812341234",
        "8613812341234",
        "008613812341234",
        "１３８１２３４１２３４",  # full-width digits from a Chinese IME
        "＋８６ １３８－１２３４－１２３４",
        " 13812341234\n",
    ],
)
def test_normalize_phone_accepts_common_spellings(raw):
    assert normalize_phone(raw) == "13812341234"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1381234123",  # 10 digits
        "138123412345",  # 12 digits
        "12812341234",  # second digit 2
        "23812341234",
        "8612812341234",
        "+1 13812341234x",
        "1381234123a",
        "٣٨١٢٣٤١٢٣٤١",  # Arabic-Indic digits are not accepted as a phone
        None,
        13812341234,
    ],
)
def test_normalize_phone_refuses(raw):
    assert normalize_phone(raw) is None


def test_valid_registration_is_normalised():
    result = validate_registration(
        valid(name="  欧阳娜娜 ", phone="+86 138-1234-1234", region=" 包头市 ", channel="school_01"), REGIONS
    )
    assert result == Registration("欧阳娜娜", "13812341234", "包头市", True, "school_01")


def test_channel_is_optional():
    assert validate_registration(valid(), REGIONS).channel is None
    assert validate_registration(valid(channel=""), REGIONS).channel is None
    assert validate_registration(valid(channel=None), REGIONS).channel is None


def test_all_failing_fields_reported_at_once():
    fields = errors_of({"name": " ", "phone": "123", "region": "北京市", "consent": False, "channel": "a b"})
    assert set(fields) == {"name", "phone", "region", "consent", "channel"}
    assert all(isinstance(reason, str) and reason for reason in fields.values())


def test_empty_body_reports_every_required_field():
    assert set(errors_of({})) == {"name", "phone", "region", "consent"}


@pytest.mark.parametrize("name", ["", "   ", "张" * 33, "张\x00三", "张\u200b三", "a\tb", None, 12, ["张三"]])
def test_bad_names(name):
    assert set(errors_of(valid(name=name))) == {"name"}


def test_name_length_limit_counts_after_trim():
    assert validate_registration(valid(name=" " + "张" * 32 + " "), REGIONS).name == "张" * 32


@pytest.mark.parametrize("phone", [None, 13812341234, "12345678901", ""])
def test_bad_phones(phone):
    assert set(errors_of(valid(phone=phone))) == {"phone"}


@pytest.mark.parametrize("consent", [False, "true", 1, "yes", None, [True]])
def test_consent_must_be_boolean_true(consent):
    assert set(errors_of(valid(consent=consent))) == {"consent"}


def test_consent_missing():
    data = valid()
    del data["consent"]
    assert set(errors_of(data)) == {"consent"}


@pytest.mark.parametrize("region", ["北京市", "", None, 3, "包头"])
def test_region_must_be_in_list(region):
    assert set(errors_of(valid(region=region))) == {"region"}


def test_region_not_collected_when_contest_has_no_regions():
    assert validate_registration(valid(region="随便写"), []).region == ""
    data = valid()
    del data["region"]
    assert validate_registration(data, ()).region == ""


@pytest.mark.parametrize("channel", ["a b", "渠道", "x" * 33, 5, "a/b", True])
def test_bad_channels(channel):
    assert set(errors_of(valid(channel=channel))) == {"channel"}


def test_channel_at_limit_is_fine():
    assert validate_registration(valid(channel="A-z_9" + "x" * 27), REGIONS).channel == "A-z_9" + "x" * 27


@pytest.mark.parametrize("body", [None, [], "name=张三", 5])
def test_non_object_body_is_a_validation_error(body):
    with pytest.raises(ValidationError):
        validate_registration(body, REGIONS)


def test_reasons_are_chinese():
    fields = errors_of({})
    assert all(any("\u4e00" <= char <= "\u9fff" for char in reason) for reason in fields.values())
