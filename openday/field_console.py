"""What a booth laptop's console says when the field app starts: where the page is
(a blank console leaves staff guessing), and, with --open, the page in the browser."""

import threading
import time
import webbrowser

import click
import requests


def page_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # a browser cannot open 0.0.0.0
    return f"http://{shown}:{port}/"


def _open_when_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}api/status", timeout=1)
            webbrowser.open(url)
            return
        except requests.RequestException:
            time.sleep(0.2)


def announce(host: str, port: int, open_browser: bool) -> None:
    """Print the booth page's address; with open_browser, open it as soon as it answers."""
    url = page_url(host, port)
    click.echo(f"展位页面 booth page: {url}   (Ctrl-C 停止 / stops)")
    if open_browser:
        threading.Thread(target=_open_when_up, args=(url,), daemon=True).start()
    else:
        click.echo("加 --open 可自动打开浏览器 / add --open to open it in the browser")
