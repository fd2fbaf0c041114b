"""The production TLS proxy as a test process: deploy/nginx/openday.conf.template (the
file docker-compose mounts into the official nginx image) rendered the way that image
renders it, run by Debian's nginx with its own prefix in a temporary folder on free
unprivileged ports, with certificates from a test CA made by trustme."""

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import trustme

from openday.embedded_redis import free_port
from tests.helpers import REPO, Process, wait_until

TEMPLATE = REPO / "deploy" / "nginx" / "openday.conf.template"
MAIN_CONF = """\
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/conf.d/*.conf;
}}
"""


def render(template: str, env: dict[str, str]) -> str:
    """What the official image's envsubst does: replace ${NAME} for the names set, leave
    every other $ (nginx's own variables) alone."""
    return re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), m.group(0)), template)


@dataclass
class Proxy:
    https_url: str
    http_url: str
    process: Process


def issue_certificate(folder: Path, ca: trustme.CA) -> tuple[Path, Path]:
    """A server certificate for localhost and 127.0.0.1 signed by `ca`: (chain, key) files."""
    cert = ca.issue_cert("localhost", "127.0.0.1")
    chain, key = folder / "fullchain.pem", folder / "privkey.pem"
    cert.private_key_pem.write_to_path(str(key))
    chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    return chain, key


def start_proxy(folder: Path, upstream: str, ca: trustme.CA) -> Proxy:
    """nginx with the compose template in front of `upstream` (host:port), serving a
    certificate signed by `ca`; stopped by Proxy.process.stop()."""
    folder.mkdir(parents=True)
    (folder / "conf.d").mkdir()
    chain, key = issue_certificate(folder, ca)
    http_port, https_port = free_port(), free_port()
    env = {"OPENDAY_DOMAIN": "localhost", "OPENDAY_UPSTREAM": upstream, "OPENDAY_HTTP_PORT": str(http_port),
           "OPENDAY_HTTPS_PORT": str(https_port), "OPENDAY_TLS_CERT": str(chain), "OPENDAY_TLS_KEY": str(key)}
    (folder / "conf.d" / "openday.conf").write_text(render(TEMPLATE.read_text(), env))
    user = "user root;" if os.geteuid() == 0 else ""  # workers must reach the temp folders in tmp_path
    (folder / "nginx.conf").write_text(MAIN_CONF.format(prefix=folder, user=user))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = Process([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"], {},
                      folder / "nginx.log")
    wait_until(lambda: (folder / "nginx.pid").exists() or not process.alive(), message="nginx up")
    assert process.alive(), process.output()
    return Proxy(f"https://localhost:{https_port}", f"http://127.0.0.1:{http_port}", process)
