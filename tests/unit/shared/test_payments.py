"""OCR payment references and the payment provider's signed callbacks.

References are worked out by hand in the comments (length digit, then Luhn from the right, the check digit's
neighbour doubled); the secrets are random bytes of the test, never a real key.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.i18n import InvalidValue, render
from shared.payments import (
    MAX_AMOUNT_SEK,
    CallbackRefused,
    PaymentConfirmation,
    is_payment_reference,
    payment_reference,
    sign_callback,
    verify_callback,
)

# 12345: 7 digits in all, so the length digit is 7. Luhn over 1 2 3 4 5 7 from the right: 7*2=14 -> 5, 5, 4*2=8,
# 3, 2*2=4, 1; 5+5+8+3+4+1 = 26, so the check digit is 4.
GOOD = "1234574"
# 123: 5 digits, length digit 5. From the right: 5*2=10 -> 1, 3, 2*2=4, 1; 1+3+4+1 = 9, check digit 1.
GOOD_SHORT = "12351"
# 25 digits (a 1 and 22 zeros): length digit 5. From the right of those 24: 5*2=10 -> 1, the zeros, and the
# 1 in the 24th place (even, so not doubled): 1; 1+1 = 2, check digit 8.
GOOD_LONGEST = "1" + "0" * 22 + "58"

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SECRET = random.Random(92).randbytes(32)
OLD_SECRET = random.Random(91).randbytes(32)
BODY = json.dumps(
    {
        "reference": GOOD,
        "amountSek": 870,
        "currency": "SEK",
        "transactionId": "tx-1",
        "paidAt": "2026-12-02T12:00:00Z",
    }
).encode()


class TestReferences:
    def test_hand_computed(self) -> None:
        assert payment_reference(12345) == GOOD
        assert payment_reference(123) == GOOD_SHORT
        assert payment_reference(10**22) == GOOD_LONGEST
        assert all(is_payment_reference(r) for r in (GOOD, GOOD_SHORT, GOOD_LONGEST))

    def test_length_digit_counts_itself_and_the_check_digit(self) -> None:
        # 8 digits of number, 10 in all: the length digit is 0.
        assert payment_reference(12345678)[-2] == "0"

    @pytest.mark.parametrize(
        "text",
        [
            "1234575",  # check digit off by one
            "1234564",  # length digit says 6 of 7
            "2134574",  # two digits swapped, which Luhn catches
            "123",  # too short
            "1" * 26,  # too long
            "12345-74",
            " 1234574",
            "١٢٣٤٥٧٤",  # Arabic-Indic digits are digits to str.isdigit, not to a bank
            "",
        ],
    )
    def test_refused(self, text: str) -> None:
        assert not is_payment_reference(text)

    def test_generated_are_all_valid(self) -> None:
        rng = random.Random(10)
        for _ in range(2000):
            number = rng.randrange(10, 10 ** rng.randint(2, 23))
            reference = payment_reference(number)
            assert reference.startswith(str(number))
            assert is_payment_reference(reference), reference

    def test_every_wrong_check_digit_is_refused(self) -> None:
        for wrong in set("0123456789") - {GOOD[-1]}:
            assert not is_payment_reference(GOOD[:-1] + wrong)

    @pytest.mark.parametrize("number", [-1, 0, 9, 10**23])
    def test_numbers_that_make_no_reference(self, number: int) -> None:
        with pytest.raises(ValueError, match="reference"):
            payment_reference(number)


def confirmation(**changes: object) -> dict[str, object]:
    return {**json.loads(BODY), **changes}


class TestConfirmation:
    def test_a_callback_body(self) -> None:
        parsed = PaymentConfirmation.model_validate_json(BODY)
        assert (parsed.reference, parsed.amount_sek, parsed.transaction_id) == (GOOD, 870, "tx-1")
        assert parsed.paid_at == NOW

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("reference", "1234575"),
            ("amountSek", 0),
            ("amountSek", MAX_AMOUNT_SEK + 1),
            ("currency", "EUR"),
            ("transactionId", ""),
            ("transactionId", "tx 1"),
            ("transactionId", "x" * 65),
            ("paidAt", "2026-12-02T12:00:00"),
        ],
    )
    def test_refusals_name_the_field(self, field: str, value: object) -> None:
        with pytest.raises(ValidationError) as refused:
            PaymentConfirmation.model_validate(confirmation(**{field: value}))
        assert [error["loc"] for error in refused.value.errors()] == [(field,)]

    def test_a_bad_reference_says_why_in_swedish_and_english(self) -> None:
        with pytest.raises(ValidationError) as refused:
            PaymentConfirmation.model_validate(confirmation(reference="1234564"))
        error = refused.value.errors()[0]["ctx"]["error"]
        assert isinstance(error, InvalidValue)
        assert render(error.message, "sv") == "OCR-numrets längdsiffra stämmer inte med antalet siffror"
        assert render(error.message, "en") == "the OCR reference's length digit does not match its length"


def signed(secret: bytes = SECRET, *, at: datetime = NOW, body: bytes = BODY) -> dict[str, str]:
    timestamp = int(at.timestamp())
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_callback(secret, webhook_id="msg_1", timestamp=timestamp, body=body),
    }


class TestSignatures:
    def test_valid(self) -> None:
        assert verify_callback([SECRET], signed(), BODY, now=NOW) == "msg_1"

    def test_header_is_v1_and_base64_of_hmac_sha256(self) -> None:
        version, _, signature = signed()["webhook-signature"].partition(",")
        assert version == "v1"
        assert len(signature) == 44  # 32 bytes in base64

    def test_header_names_in_any_case(self) -> None:
        headers = {name.upper(): value for name, value in signed().items()}
        assert verify_callback([SECRET], headers, BODY, now=NOW) == "msg_1"

    def test_tampered_body(self) -> None:
        with pytest.raises(CallbackRefused, match="no signature"):
            verify_callback([SECRET], signed(), BODY.replace(b"870", b"8700"), now=NOW)

    def test_tampered_id_or_timestamp(self) -> None:
        for name, value in (("webhook-id", "msg_2"), ("webhook-timestamp", str(int(NOW.timestamp()) + 1))):
            with pytest.raises(CallbackRefused, match="no signature"):
                verify_callback([SECRET], {**signed(), name: value}, BODY, now=NOW)

    def test_wrong_secret(self) -> None:
        with pytest.raises(CallbackRefused, match="no signature"):
            verify_callback([SECRET], signed(OLD_SECRET), BODY, now=NOW)

    def test_rotated_secret_still_verifies_while_listed(self) -> None:
        assert verify_callback([SECRET, OLD_SECRET], signed(OLD_SECRET), BODY, now=NOW) == "msg_1"

    def test_several_signatures_one_of_them_good(self) -> None:
        headers = signed()
        stale = signed(OLD_SECRET)["webhook-signature"]
        headers["webhook-signature"] = f"v1a,abc {stale} {headers['webhook-signature']}"
        assert verify_callback([SECRET], headers, BODY, now=NOW) == "msg_1"

    def test_another_version_is_not_a_signature(self) -> None:
        headers = signed()
        headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v2,")
        with pytest.raises(CallbackRefused, match="no signature"):
            verify_callback([SECRET], headers, BODY, now=NOW)

    def test_old_timestamp(self) -> None:
        late = signed(at=NOW - timedelta(seconds=301))
        with pytest.raises(CallbackRefused, match="old"):
            verify_callback([SECRET], late, BODY, now=NOW)
        assert verify_callback([SECRET], signed(at=NOW - timedelta(seconds=300)), BODY, now=NOW)

    def test_timestamp_from_the_future(self) -> None:
        with pytest.raises(CallbackRefused, match="ahead"):
            verify_callback([SECRET], signed(at=NOW + timedelta(seconds=301)), BODY, now=NOW)

    def test_tolerance_is_configurable(self) -> None:
        with pytest.raises(CallbackRefused, match="old"):
            verify_callback([SECRET], signed(at=NOW - timedelta(seconds=61)), BODY, now=NOW, tolerance_s=60)

    @pytest.mark.parametrize("timestamp", ["", "-1", "1.5", "1e9", "abc", "1" * 13])
    def test_bad_timestamp(self, timestamp: str) -> None:
        headers = {**signed(), "webhook-timestamp": timestamp}
        with pytest.raises(CallbackRefused, match="webhook-timestamp"):
            verify_callback([SECRET], headers, BODY, now=NOW)

    @pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
    def test_missing_headers(self, missing: str) -> None:
        headers = signed()
        del headers[missing]
        with pytest.raises(CallbackRefused, match=f"{missing} header is missing"):
            verify_callback([SECRET], headers, BODY, now=NOW)

    def test_needs_an_aware_now_and_a_secret(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            verify_callback([SECRET], signed(), BODY, now=NOW.replace(tzinfo=None))
        with pytest.raises(ValueError, match="secret"):
            verify_callback([], signed(), BODY, now=NOW)
