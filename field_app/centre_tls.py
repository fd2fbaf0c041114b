"""How a laptop reaches the centre safely: over HTTPS, verifying the centre's certificate
(the system's CAs, or the CA bundle OPENDAY_SYNC_CA names for a private CA), so a man in
the middle on venue Wi-Fi can neither read a token nor serve the laptop a day plan.

Plain http:// is accepted only to this machine (loopback: `openday dev`, tests) unless
OPENDAY_ALLOW_HTTP is set, and then the page warns. A certificate that does not verify
stops the exchange before any entry is sent or anything is read: requests fails the
TLS handshake first. The refusals are plain words, zh and en.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
CERTIFICATE_MESSAGE = (
    "无法验证同步服务的证书（可能连到了冒充的服务器，或需设置 OPENDAY_SYNC_CA），未上传也未下载任何数据，"
    "记录保存在本机。 / The sync service's certificate could not be verified (an impostor, or OPENDAY_SYNC_CA "
    "must name its CA): nothing was sent or received; entries stay on this laptop."
)
PLAIN_HTTP_MESSAGE = (
    "不使用未加密的 http:// 连接同步服务（本机除外），请用 https:// 地址。 / Plain http:// to the sync service is "
    "refused (except to this machine): use its https:// address."
)


class UnsafeCentre(Exception):
    """The centre's address or certificate cannot be trusted; nothing was exchanged."""


@dataclass(frozen=True)
class CentreTLS:
    ca_bundle: str | None = None  # OPENDAY_SYNC_CA: a PEM file of the CA(s) that signed the centre
    allow_http: bool = False  # OPENDAY_ALLOW_HTTP: plain http:// to other machines too (warned)

    @property
    def verify(self) -> str | bool:
        """requests' `verify=`: the private CA bundle, else the system's CAs. Never off."""
        return self.ca_bundle or True

    def insecure(self, url: str) -> bool:
        """Plain http:// to another machine: allowed only with allow_http, and warned."""
        parts = urlsplit(url or "")
        return parts.scheme == "http" and parts.hostname not in LOOPBACK

    def check(self, url: str) -> None:
        if self.insecure(url) and not self.allow_http:
            raise UnsafeCentre(PLAIN_HTTP_MESSAGE)


STRICT = CentreTLS()  # the default: the system's CAs, https only (but to this machine)


def from_config(config) -> CentreTLS:
    allow = str(config.get("ALLOW_HTTP") or "").lower() in ("1", "true", "yes")
    return CentreTLS(config.get("SYNC_CA") or None, allow)


def is_certificate_error(exc: Exception) -> bool:
    return isinstance(exc, requests.exceptions.SSLError)
