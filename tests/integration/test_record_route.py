"""field_app/record_route.py answers POST /api/events in front of Flask: the same answers
as a Flask route would give (language by ?lang=, cookie or Accept-Language; a body that is
not JSON is a 400), and every other request still reaches Flask."""

from tests.integration.test_field_app import LEAFLET, client, stored  # noqa: F401 (fixture)

UNKNOWN = {"type": "material.distributed", "payload": {"material": "balloon", "quantity": 1}}


def test_a_201_is_json_naming_the_stored_entry(tmp_path, client):  # noqa: F811
    answer = client.post("/api/events", json=LEAFLET)
    assert answer.status_code == 201 and answer.headers["Content-Type"] == "application/json"
    assert answer.json["seq"] == 1
    assert client.get("/api/events").json["events"][0]["event_id"] == answer.json["event_id"]


def test_the_language_comes_from_the_query_the_cookie_or_the_browser(client):  # noqa: F811
    english = "Not in the day plan: balloon"
    assert client.post("/api/events?lang=en", json=UNKNOWN).json["errors"]["payload"]["material"] == [english]
    by_browser = client.post("/api/events", json=UNKNOWN, headers={"Accept-Language": "en-GB"})
    assert by_browser.json["message"] == "Not saved: please check"
    client.set_cookie("lang", "en")
    assert client.post("/api/events", json=UNKNOWN).json["errors"]["payload"]["material"] == [english]
    chinese = client.post("/api/events?lang=zh", json=UNKNOWN, headers={"Accept-Language": "en"})
    assert chinese.json["errors"]["payload"]["material"] == ["当日方案中没有“balloon”。"]


def test_a_body_that_is_not_json_is_a_400_and_stores_nothing(tmp_path, client):  # noqa: F811
    for kwargs in ({"data": '{"type": "visitor.received"}', "content_type": "text/plain"},
                   {"data": b"\xff\xfe{", "content_type": "application/json"},
                   {"data": "", "content_type": "application/json"},
                   {"data": "[1, 2]", "content_type": "application/json"}):
        answer = client.post("/api/events", **kwargs)
        assert answer.status_code == 400, kwargs
        assert answer.json["errors"] == {"_body": ["请求内容不是 JSON 对象。"]}
    assert client.post("/api/events", data='{"type": "visitor.received", "payload": {"party_size": 1}}',
                       content_type="application/vnd.openday+json; charset=utf-8").status_code == 201
    assert stored(tmp_path) == 1


def test_other_requests_still_reach_flask(client):  # noqa: F811
    assert client.get("/api/events").status_code == 200
    assert client.put("/api/events", json=LEAFLET).status_code == 405
    assert client.post("/api/events/", json=LEAFLET).status_code == 404


def test_a_body_over_the_limit_is_a_413_unread_and_stores_nothing(tmp_path, client):  # noqa: F811
    huge = '{"type": "visitor.received", "payload": {"party_size": 1}, "staff": "' + "x" * 70_000 + '"}'
    answer = client.post("/api/events", data=huge, content_type="application/json")
    assert answer.status_code == 413
    assert answer.json["errors"] == {"_body": ["请求内容过长（超过 65536 字节）。"]}
    english = client.post("/api/events?lang=en", data=huge, content_type="application/json")
    assert english.json["errors"] == {"_body": ["Larger than 65536 bytes."]}
    assert client.post("/api/undo", data=huge, content_type="application/json").status_code == 413  # Flask's own
    assert stored(tmp_path) == 0


def test_a_request_not_addressed_to_this_laptop_is_refused(tmp_path, client):  # noqa: F811
    """DNS rebinding: a web page whose name now resolves to 127.0.0.1 sends its own Host."""
    for method, path in (("post", "/api/events"), ("get", "/api/status"), ("post", "/api/enroll"), ("get", "/")):
        answer = getattr(client, method)(path, json=LEAFLET, headers={"Host": "evil.example:8701"})
        assert answer.status_code == 400, path
        assert answer.json["errors"] == {"Host": ["本机只接受 127.0.0.1 或 localhost 的访问。"]}, path
    english = client.post("/api/events?lang=en", json=LEAFLET, headers={"Host": "127.0.0.1.evil.example"})
    assert english.json["message"] == "Refused: not addressed to this laptop"
    assert stored(tmp_path) == 0
    for host in ("127.0.0.1:8701", "localhost:8701", "localhost"):
        assert client.post("/api/events", json=LEAFLET, headers={"Host": host}).status_code == 201, host
    assert stored(tmp_path) == 3
