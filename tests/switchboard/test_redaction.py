"""Logs never carry card numbers, IBANs or full phone numbers."""

from __future__ import annotations

import json
import logging

import pytest

from switchboard.logging import JsonFormatter, configure_logging, conversation_id_var
from switchboard.redaction import mask_payment_data, redact


def test_payment_data_is_masked() -> None:
    text = "card 4111 1111 1111 1111 and IBAN GB82 WEST 1234 5698 7654 32, £10"
    masked = mask_payment_data(text)
    assert "4111" not in masked
    assert "WEST" not in masked
    assert "£10" in masked


def test_phone_numbers_keep_only_their_last_three_digits() -> None:
    assert "900123" not in redact("my number is +447700900123")
    assert redact("my number is +447700900123").endswith("123")
    assert redact("top up £20 today") == "top up £20 today"


def test_json_logs_carry_the_conversation_id_and_no_phone_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(level="INFO", json_format=True)
    token = conversation_id_var.set("conv-42")
    try:
        logging.getLogger("switchboard.test").info("turn for %s", "+447700900123")
    finally:
        conversation_id_var.reset(token)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["conversation_id"] == "conv-42"
    assert "900123" not in entry["msg"]
    assert isinstance(JsonFormatter().format(logging.makeLogRecord({"msg": "x"})), str)


def test_numeric_log_arguments_keep_their_type(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", json_format=True)
    logging.getLogger("switchboard.test").info("process [%d] on port %s", 4242, 8000)
    entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert entry["msg"] == "process [4242] on port 8000"
