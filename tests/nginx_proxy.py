"""Debian's nginx in front of several sync services (least_conn, as in production), run
from a config in a temporary folder; its access log names the upstream of each request."""

import shutil
import subprocess
from pathlib import Path

import requests

from openday.embedded_redis import free_port
from tests.helpers import wait_until

CONFIG = """
worker_processes 1;
error_log {folder}/error.log;
pid {folder}/nginx.pid;
events {{ worker_connections 512; }}
http {{
  log_format upstream '$upstream_addr "$request" $status';
  access_log {folder}/access.log upstream;
  client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy; fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
  upstream sync_service {{ least_conn; {servers} }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 2m;
    client_body_buffer_size 2m;  # bodies stay in memory: workers (nobody, under root) cannot write the tmp folder
    location / {{
      proxy_pass http://sync_service;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_buffering off;
      proxy_read_timeout 120s;
    }}
  }}
}}
"""


class NginxProxy:
    def __init__(self, folder: Path, upstreams: list[str]):
        self.folder, self.upstreams, self.port = Path(folder), upstreams, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "NginxProxy":
        self.folder.mkdir(parents=True, exist_ok=True)
        servers = " ".join(f"server {u};" for u in self.upstreams)
        config = self.folder / "nginx.conf"
        config.write_text(CONFIG.format(folder=self.folder.resolve(), servers=servers, port=self.port))
        self.process = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(config.resolve()),
                                         "-p", str(self.folder.resolve()), "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: requests.get(f"{self.url}/healthz", timeout=1).ok, message="nginx up")
        return self

    def upstreams_of(self, marker: str) -> set[str]:
        """The upstreams that answered requests whose line contains `marker`."""
        lines = (self.folder / "access.log").read_text().splitlines()
        return {line.split(" ", 1)[0] for line in lines if marker in line}

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def __enter__(self) -> "NginxProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
