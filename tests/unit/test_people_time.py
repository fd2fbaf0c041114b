"""Times for people: the plan's zone, whatever the server's, in each language's way."""

from shared.people_time import people_time


def test_times_are_in_the_plans_zone_and_written_for_people():
    assert people_time("2022-05-15T02:05:09.123Z", "Asia/Shanghai", "zh") == "2022年5月15日 10:05"
    assert people_time("2022-05-15T02:05:09+00:00", "Asia/Shanghai", "en") == "15 May 2022, 10:05"
    assert people_time("2022-05-15T23:30:00+08:00", "Europe/London", "en", with_date=False) == "16:30"
    assert people_time(None, "Asia/Shanghai", "zh") == ""
