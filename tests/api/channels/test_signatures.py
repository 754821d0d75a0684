"""Webhook authenticity checks against the published test vectors (specs/channels)."""

from __future__ import annotations

from starlette.datastructures import FormData

from api.channels.signatures import (
    secret_ok,
    twilio_signature_ok,
    whatsapp_signature,
    whatsapp_signature_ok,
)
from tests.api.channels.conftest import spec


def test_whatsapp_vectors_verify_over_the_raw_bytes() -> None:
    vectors = spec("whatsapp/signature-test-vectors.local.json")
    secret = vectors["app_secret"]
    for vector in vectors["vectors"]:
        raw = vector["raw_body"].encode()
        assert whatsapp_signature(secret, raw) == vector["x_hub_signature_256"], vector["name"]
        assert whatsapp_signature_ok(secret, raw, vector["x_hub_signature_256"])
    escaped, reserialized = vectors["vectors"][1], vectors["vectors"][2]
    # same JSON value, different bytes: the escaped body's signature fails on the UTF-8 bytes
    assert not whatsapp_signature_ok(
        secret, reserialized["raw_body"].encode(), escaped["x_hub_signature_256"]
    )


def test_whatsapp_rejects_wrong_secret_missing_and_tampered() -> None:
    vector = spec("whatsapp/signature-test-vectors.local.json")["vectors"][0]
    raw, good = vector["raw_body"].encode(), vector["x_hub_signature_256"]
    assert not whatsapp_signature_ok("another-secret", raw, good)
    assert not whatsapp_signature_ok("test-app-secret", raw, None)
    assert not whatsapp_signature_ok("test-app-secret", raw, "")
    assert not whatsapp_signature_ok("test-app-secret", raw + b" ", good)
    assert not whatsapp_signature_ok("test-app-secret", raw, good.removeprefix("sha256="))


def test_twilio_official_vector_with_and_without_port() -> None:
    vector = spec("twilio/request-validator.test-vector.json")
    token, url, params = vector["auth_token"], vector["url"], vector["params"]
    assert twilio_signature_ok(token, url, params, vector["expected_signature"])
    with_port = url.replace("mycompany.com", "mycompany.com:1234")
    assert twilio_signature_ok(token, with_port, params, vector["expected_signature"])
    assert not twilio_signature_ok(token, url + "&baz=3", params, vector["expected_signature"])
    assert not twilio_signature_ok(
        token, url, {**params, "Digits": "9"}, vector["expected_signature"]
    )
    assert not twilio_signature_ok("54321", url, params, vector["expected_signature"])
    assert not twilio_signature_ok(token, url, params, None)


def test_twilio_repeated_parameters_from_a_form() -> None:
    vector = spec("twilio/request-validator.test-vector.json")
    case = vector["duplicate_params_case"]
    form = FormData([tuple(pair) for pair in case["params_multidict"]])
    assert twilio_signature_ok(
        vector["auth_token"], vector["url"], form, case["expected_signature"]
    )


def test_twilio_assembled_sms_example() -> None:
    example = spec("twilio/inbound-sms.form.example.json")
    assert twilio_signature_ok(
        example["auth_token"], example["url"], example["form"], example["x_twilio_signature"]
    )


def test_shared_secret_compare() -> None:
    assert secret_ok("tg-secret", "tg-secret")
    assert not secret_ok("tg-secret", "tg-secreT")
    assert not secret_ok("tg-secret", None)
    assert not secret_ok("tg-secret", "")
