"""The day-setup and accounts pages through Flask's test client against a real Redis: a
signed-in organiser creates a day from the form, a workbook or a copy; a coordinator saves
a new version (and a stale one is refused), retires a key; refusals are shown at the input."""

import io
import re

import pytest

from central.plan_store import list_versions, read_version
from central.plan_workbook import plan_to_workbook
from sync_service.app import create_app
from sync_service.coordinators import ORGANISER, add_coordinator
from tests.helpers import DAY, PLAN_PATH
from tests.signin import csrf_token_in

PASSWORD = "correct horse battery"
NEW_DAY = "heping-2023-05-15"


@pytest.fixture
def app(redis, redis_url):
    add_coordinator(redis, "org", PASSWORD, [], ORGANISER)
    add_coordinator(redis, "gu", PASSWORD, [DAY])
    return create_app({"REDIS_URL": redis_url, "PLAN_DIR": str(PLAN_PATH.parent), "TESTING": True})


def signed_in(app, username: str):
    client = app.test_client()
    token = csrf_token_in(client.get("/dashboard/signin").text)
    assert client.post("/dashboard/signin", data={"csrf_token": token, "username": username,
                                                  "password": PASSWORD}).status_code == 302
    return client


def _form_of(html: str) -> dict:
    """The plan form's fields as the browser would send them (checked boxes only)."""
    form = html[html.index('id="plan-form"'):]
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and ('type="checkbox"' not in tag or " checked" in tag):
            fields[name.group(1)] = (value.group(1) if value else "").replace("&amp;", "&")
    return fields


def test_an_organiser_copies_a_past_day_and_creates_it_from_the_form(app, redis):
    organiser = signed_in(app, "org")
    assert "new-day" in organiser.get("/dashboard/").text
    copied = organiser.get(f"/dashboard/days/new?copy={DAY}")
    fields = _form_of(copied.text)
    assert fields["day_id"] == "" and fields["topics-0-id"] == "dibao" and fields["booths-0-team_zh"] == "宣传一队"
    fields.update(day_id=NEW_DAY, date="2023-05-15", **{"topics-0-en": ""})
    refused = organiser.post("/dashboard/days/new", data=fields)
    assert refused.status_code == 422 and re.search(r'name="topics-0-en"[^>]*aria-invalid="true"', refused.text)
    assert "缺少英文名称" in refused.text and "the en label is required" in refused.text
    fields["topics-0-en"] = "Minimum living allowance"
    made = organiser.post("/dashboard/days/new", data=fields)
    assert made.status_code == 302 and made.headers["Location"].endswith(f"/dashboard/days/{NEW_DAY}/setup?created=1")
    plan = read_version(redis, NEW_DAY)["plan"]
    assert plan["booths"][0]["leader"]["zh"] == "副局长古威" and plan["date"] == "2023-05-15"
    assert signed_in(app, "gu").get("/dashboard/days/new").status_code == 403  # coordinators do not create days


def test_an_organiser_creates_a_day_from_a_workbook(app, redis):
    organiser = signed_in(app, "org")
    page = organiser.get("/dashboard/days/new")
    raw = {**read_version(redis, DAY)["plan"], "day_id": NEW_DAY, "date": "2023-05-15"}
    upload = {"csrf_token": csrf_token_in(page.text), "workbook": (io.BytesIO(plan_to_workbook(raw)), "day.xlsx")}
    made = organiser.post("/dashboard/days/new/workbook", data=upload, content_type="multipart/form-data")
    assert made.status_code == 302 and read_version(redis, NEW_DAY)["by"] == "org"
    template = organiser.get("/dashboard/plan-template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"


def test_a_coordinator_saves_a_version_retires_a_key_and_a_stale_form_is_refused(app, redis):
    gu = signed_in(app, "gu")
    page = gu.get(f"/dashboard/days/{DAY}/setup")
    assert page.status_code == 200 and 'id="plan-version"' in page.text
    fields = _form_of(page.text)
    stale = dict(fields)
    blank = next(n for n in range(20) if fields.get(f"topics-{n}-id") == "")
    fields.update({f"topics-{blank}-id": "yanglao", f"topics-{blank}-zh": "养老服务",
                   f"topics-{blank}-en": "Elderly care", "topics-1-retired": "yes"})
    saved = gu.post(f"/dashboard/days/{DAY}/setup", data=fields)
    assert saved.status_code == 302 and saved.headers["Location"].endswith("saved=2")
    plan = read_version(redis, DAY)["plan"]
    assert plan["topics"][-1]["id"] == "yanglao" and plan["topics"][1]["retired"] is True
    assert plan["labels"]["outcomes"]["answered"]["zh"] == "当场解答"  # what the form does not show is kept
    stale["title_zh"] = "过期的修改"
    refused = gu.post(f"/dashboard/days/{DAY}/setup", data=stale)
    assert refused.status_code == 409 and "第 2 版已由他人保存" in refused.text
    assert len(list_versions(redis, DAY)) == 2
    history = gu.get(f"/dashboard/days/{DAY}/setup?saved=2").text
    assert "已保存为第 2 版" in history and 'data-version="2"' in history and "yanglao · 新增" in history


def test_the_accounts_page_grants_and_refuses_demoting_the_last_organiser(app, redis):
    organiser = signed_in(app, "org")
    page = organiser.get("/dashboard/accounts")
    assert page.status_code == 200 and 'data-user="gu"' in page.text
    token = csrf_token_in(page.text)
    unknown = organiser.post("/dashboard/accounts/gu/grant", data={"csrf_token": token, "day_id": "nope"})
    assert unknown.status_code == 404
    signed = organiser.post("/dashboard/accounts/org/role", data={"csrf_token": token, "role": "coordinator"})
    assert signed.status_code == 409 and "不能降低自己的角色" in signed.text
    assert organiser.post("/dashboard/accounts/gu/role", data={"role": "organiser"}).status_code == 403  # no CSRF
    assert signed_in(app, "gu").get("/dashboard/accounts").status_code == 403
