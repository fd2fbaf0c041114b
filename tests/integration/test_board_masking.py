"""The booth board's central figures (issue 15): hot-issue texts in the cached central totals
are masked on the board, even a cache pulled from an older centre that sent them as written.
A real SQLite log, Flask's test client."""

from field_app.app import create_app
from tests.helpers import PLAN_PATH


def test_cached_central_hot_issues_are_masked_on_the_board(tmp_path):
    app = create_app({"FIELD_DB": str(tmp_path / "laptop.sqlite3"), "PLAN": str(PLAN_PATH), "DEVICE_ID": "laptop-t",
                      "BOOTH_ID": "shashan", "PUSH_INTERVAL": 0, "PULL_INTERVAL": 0})
    log = app.extensions["openday"]["log"]
    hot = {"event_id": "e1", "booth_id": "shashan", "text": "回电13812345678", "recorded_at": "2022-05-15T09:00:00"}
    log.set_state("central_totals", {"fetched_at": "2022-05-15T09:01:00+08:00", "booth": None,
                                     "day": {"feedback": {"hot_issues": 1, "hot_issue_list": [hot]}}})
    board = app.test_client().get("/api/board").json
    assert board["central"]["day"]["feedback"]["hot_issue_list"][0]["text"] == "回电138****5678"
    assert log.get_state("central_totals")["day"]["feedback"]["hot_issue_list"][0]["text"] == "回电13812345678"
