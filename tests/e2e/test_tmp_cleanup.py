"""Nothing of a run stays in the temporary folder (issue 13): the sync service's gunicorn
master makes prometheus-client's multiprocess folder and removes it when it stops."""

from tests.helpers import running_central, wait_until


def test_sync_service_removes_its_metrics_folder_when_it_stops(redis_url, tmp_path):
    own_tmp = tmp_path / "tmp"
    own_tmp.mkdir()
    with running_central(redis_url, tmp_path, TMPDIR=str(own_tmp)):
        made = list(own_tmp.glob("openday-metrics-*"))
        assert len(made) == 1, made  # the folder is made where TMPDIR says
    wait_until(lambda: not list(own_tmp.glob("openday-metrics-*")), timeout=10, message="metrics folder removed")
