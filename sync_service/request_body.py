"""Reading a JSON request body: gzip-encoded or plain, never more than a size cap.

The cap applies to the decompressed body too, so a small gzip bomb is refused (413)
before it is inflated into memory.
"""

import zlib

import orjson
from flask import request

from sync_service.errors import ApiError


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "too_large", f"The body is over {limit} bytes; send a smaller batch.", limit_bytes=limit)


def _gunzip(raw: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=31)  # gzip header and trailer
    try:
        body = inflater.decompress(raw, limit + 1)
        if len(body) > limit or inflater.unconsumed_tail:
            raise _too_large(limit)
        body += inflater.flush()
    except zlib.error as exc:
        raise ApiError(400, "malformed", f"The gzip body cannot be decompressed: {exc}.") from exc
    if not inflater.eof:
        raise ApiError(400, "malformed", "The gzip body is truncated.")
    return body


def read_json_body(limit: int):
    """The parsed JSON body (any JSON value); 413 past `limit` bytes, 415/400 if unreadable."""
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    raw = request.get_data(cache=False)
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding == "gzip":
        raw = _gunzip(raw, limit)
    elif encoding not in ("", "identity"):
        raise ApiError(415, "unsupported_encoding", f"Content-Encoding {encoding!r} is not supported; use gzip.")
    if len(raw) > limit:
        raise _too_large(limit)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "malformed", f"The body is not JSON: {exc}.") from exc


def read_json_object(limit: int) -> dict:
    body = read_json_body(limit)
    if not isinstance(body, dict):
        raise ApiError(400, "malformed", "The body must be a JSON object.")
    return body
