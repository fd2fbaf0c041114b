"""The day page's first data comes inside its HTML (issue 19): the page's figures and the
newest hot issues in the boot JSON, read at the charts' position, texts masked (issue 15);
and its script and style sheet are cached by the browser under their content's hash.
A real Redis, the fold in-process, Flask's test client."""

import json
import re

from sync_service.dashboard.page_figures import HOT_SHOWN
from tests.factories import make_event
from tests.helpers import DAY
from tests.integration.test_dashboard_charts import INQUIRY, client, push, sign_in  # noqa: F401  (fixture)


def boot_of(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="boot">(.*?)</script>', page, re.S).group(1))


def hot(seq: int, text: str, minute: int) -> dict:
    return make_event(seq, "feedback.collected", {"rating": "satisfied", "hot_issue": True, "comment": text},
                      recorded_at=f"2022-05-15T10:{minute:02d}:00+08:00")


def test_the_page_brings_its_figures_at_the_charts_position(client, redis, plan):  # noqa: F811
    push(redis, plan, make_event(1, "visitor.received", {"party_size": 4}), make_event(2, "inquiry.answered", INQUIRY),
         make_event(3, "material.distributed", {"material": "leaflet", "quantity": 7}))
    sign_in(client)
    first = boot_of(client.get(f"/dashboard/days/{DAY}").text)["first"]
    totals = client.get(f"/api/v1/days/{DAY}/totals").json
    assert first["position"] == totals["position"] == boot_of(client.get(f"/dashboard/days/{DAY}").text)[
        "charts_position"]
    figures = first["figures"]
    assert figures["visitors"] == totals["visitors"] == 4 and figures["inquiries.total"] == 1
    assert figures["booth:shashan|visitors"] == 4 and figures["booth:shashan|materials.distributed.leaflet"] == 7
    assert figures["materials.distributed.leaflet"] == 7 and figures["quarantined"] == 0
    assert not any(name.startswith(("hour:", "device:")) for name in figures)  # only what the page shows


def test_the_newest_hot_issues_come_masked_with_their_count(client, redis, plan):  # noqa: F811
    push(redis, plan, *(hot(seq, f"第{seq}条 回电13812345678", seq) for seq in range(1, HOT_SHOWN + 4)))
    sign_in(client)
    page = client.get(f"/dashboard/days/{DAY}").text
    first = boot_of(page)["first"]
    assert "13812345678" not in page and "138****5678" in page
    assert first["hot_count"] == HOT_SHOWN + 3 and len(first["hot_issues"]) == HOT_SHOWN
    assert first["hot_issues"][-1]["text"].startswith(f"第{HOT_SHOWN + 3}条")  # the newest kept, oldest first
    assert first["hot_issues"][0]["text"].startswith("第4条")


def test_the_script_is_cached_under_its_hash_and_a_plain_request_is_not(client):  # noqa: F811
    sign_in(client)
    page = client.get(f"/dashboard/days/{DAY}").text
    url = re.search(r'<script src="([^"]+dashboard\.js\?v=[0-9a-f]{12})"', page).group(1)
    assert re.search(r'href="[^"]+dashboard\.css\?v=[0-9a-f]{12}"', page)
    cached = client.get(url)
    assert cached.status_code == 200 and "max-age=31536000" in cached.headers["Cache-Control"]
    plain = client.get(url.split("?")[0])
    assert plain.status_code == 200 and "max-age=31536000" not in plain.headers.get("Cache-Control", "")
    stale = client.get(url.split("?")[0] + "?v=000000000000")
    assert "max-age=31536000" not in stale.headers.get("Cache-Control", "")


def test_a_static_name_outside_the_folder_is_not_read_or_remembered(client):  # noqa: F811
    from sync_service.dashboard.static_files import content_hashes

    folder = client.application.blueprints["dashboard"].static_folder
    for name in ("..%2F..%2F..%2Fpyproject.toml", "../templates/dashboard/day.html", "nothing-here.js"):
        answer = client.get(f"/dashboard/static/{name}?v=000000000000")
        assert answer.status_code == 404 and "max-age=31536000" not in answer.headers.get("Cache-Control", "")
    assert set(content_hashes(folder)) == {"dashboard.css", "dashboard.js"}
    assert content_hashes.cache_info().currsize == 1  # one entry for the folder, none per name asked for
