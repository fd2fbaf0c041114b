"""A laptop that says which booth and day it serves: a code for another booth or day is
refused by the centre before any use of it is spent (the laptop would refuse the token
anyway, so spending the code would only cost the booth it was made for)."""

from central import keys
from tests.helpers import DAY
from tests.integration.test_enrollment import CODES, LEAD, _code, _enroll, client  # noqa: F401 (fixture)


def test_a_code_for_another_booth_or_day_is_refused_unspent(client, redis):  # noqa: F811
    code = _code(client, booth="shashan", uses=1)["code"]
    wrong_booth = _enroll(client, code, expected_booth_id="bayi", expected_day_id=DAY)
    assert (wrong_booth.status_code, wrong_booth.json["error"]) == (400, "wrong_booth")
    assert wrong_booth.json["code_booth_id"] == "shashan" and "not used" in wrong_booth.json["errors"]["code"][0]
    wrong_day = _enroll(client, code, expected_booth_id="shashan", expected_day_id="other-day-2023")
    assert (wrong_day.status_code, wrong_day.json["error"]) == (400, "wrong_day")
    assert wrong_day.json["code_day_id"] == DAY
    assert client.get(CODES, headers=LEAD).json["codes"][0]["uses_left"] == 1
    assert redis.hlen(keys.devices(DAY)) == 0 and redis.hlen(keys.DEVICE_TOKENS) == 0

    right = _enroll(client, code, expected_booth_id="shashan", expected_day_id=DAY)
    assert right.status_code == 201 and right.json["booth_id"] == "shashan"
    assert client.get(CODES, headers=LEAD).json["codes"][0]["uses_left"] == 0


def test_the_expected_ids_are_checked_for_shape(client):  # noqa: F811
    code = _code(client)["code"]
    bad = _enroll(client, code, expected_booth_id="Bayi Park!", expected_day_id="x")
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"expected_booth_id", "expected_day_id"}
    assert client.get(CODES, headers=LEAD).json["codes"][0]["uses_left"] == 1
