import pytest
from flask import Flask

from sync_service.coordinators import add_coordinator, check_credentials, require_coordinator
from sync_service.errors import ApiError
from tests.helpers import DAY


def test_passwords_are_hashed_and_checked(redis):
    add_coordinator(redis, "gu", "correct horse", [DAY])
    assert "correct horse" not in str(redis.hgetall("od:coordinators"))
    assert check_credentials(redis, "gu", "correct horse").days == (DAY,)
    assert check_credentials(redis, "gu", "wrong") is None
    assert check_credentials(redis, "nobody", "correct horse") is None
    with pytest.raises(ValueError):
        add_coordinator(redis, "short", "1234", [DAY])


def test_require_coordinator_checks_the_day(redis):
    add_coordinator(redis, "gu", "correct horse", [DAY])
    app = Flask(__name__)
    app.secret_key = "test"
    app.extensions["openday"] = {"redis": redis}
    with app.test_request_context(auth=("gu", "correct horse")):
        assert require_coordinator(DAY).username == "gu"
        with pytest.raises(ApiError) as caught:
            require_coordinator("other-day-2023")
        assert caught.value.status == 403
    with app.test_request_context(), pytest.raises(ApiError) as caught:
        require_coordinator(DAY)
    assert caught.value.status == 401
