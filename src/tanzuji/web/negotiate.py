"""Who reads an error answer: htmx, a browser showing a whole page, or a program.

The one rule, used by the error handlers and the middleware:

* ``htmx`` — the request carries ``HX-Request: true``: the HTML error fragment, swapped
  into the form's target.
* ``page`` — a browser shows the answer as a whole page: a request to a page address (not
  ``/api/…``, ``/auth/…``, PACT's ``/3/…``, ``/static/…``, ``/healthz``), without an
  ``Authorization`` header, that is either

  - a form the browser posts itself: an unsafe method (POST) whose body is
    ``application/x-www-form-urlencoded`` or ``multipart/form-data`` and that carries no
    ``X-CSRF-Token`` header (a plain HTML form cannot set headers; our scripts and the
    programs that use a session send the token in that header and read the answer
    themselves), or
  - a GET or HEAD whose ``Accept`` prefers ``text/html`` to JSON (a browser following a
    link; ``*/*`` alone is no preference).

  It gets the HTML error page (the site's layout, the errors, a link back).
* ``json`` — everything else, the API and PACT always: the JSON error body.

>>> answer_kind("POST", "/revisions/x/share", {"content-type": "multipart/form-data; b=1"})
'page'
>>> answer_kind("POST", "/api/revisions/x/shares", {"content-type": "multipart/form-data"})
'json'
>>> answer_kind("GET", "/upload", {"accept": "text/html,*/*;q=0.8"})
'page'
>>> answer_kind("GET", "/upload", {"accept": "*/*"}), answer_kind("GET", "/upload", {})
('json', 'json')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

__all__ = ["AnswerKind", "answer_kind", "headers_of", "prefers_html"]

AnswerKind = Literal["htmx", "page", "json"]

#: Addresses whose answers are for programs, whatever asks.
PROGRAM_PREFIXES = ("/api/", "/auth/", "/3/", "/static/")
PROGRAM_PATHS = frozenset({"/api", "/auth", "/3", "/healthz"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_READS = frozenset({"GET", "HEAD"})
_HTML = frozenset({"text/html", "application/xhtml+xml"})


def _quality(params: Iterable[str]) -> float:
    for p in params:
        name, _, value = p.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def prefers_html(accept: str) -> bool:
    """Whether an ``Accept`` header names HTML and ranks it above JSON.

    >>> prefers_html("text/html,application/xhtml+xml,*/*;q=0.8"), prefers_html("*/*")
    (True, False)
    >>> prefers_html("application/json, text/html;q=0.5"), prefers_html("text/html;q=0")
    (False, False)
    """
    html = 0.0
    ranks: dict[str, float] = {}
    for part in accept.split(","):
        kind, *params = part.split(";")
        kind = kind.strip().lower()
        q = _quality(params)
        if kind in _HTML:
            html = max(html, q)
        else:
            ranks[kind] = max(ranks.get(kind, 0.0), q)
    json = ranks.get("application/json", ranks.get("application/*", ranks.get("*/*", 0.0)))
    return html > 0 and html > json


def headers_of(scope: Mapping[str, Any]) -> dict[str, str]:
    """The headers of an ASGI scope by lower-case name (the last of a repeated one)."""
    out: dict[str, str] = {}
    for name, value in scope.get("headers") or []:
        out[bytes(name).decode("latin-1").lower()] = bytes(value).decode("latin-1")
    return out


def answer_kind(method: str, path: str, headers: Mapping[str, str]) -> AnswerKind:
    """``htmx``, ``page`` or ``json``: see the module's rule (``headers`` by lower-case
    name, as Starlette's ``request.headers`` or :func:`headers_of` give them)."""
    if headers.get("hx-request") == "true":
        return "htmx"
    if path.startswith(PROGRAM_PREFIXES) or path in PROGRAM_PATHS:
        return "json"
    if headers.get("authorization"):
        return "json"
    method = method.upper()
    if method in _READS:
        return "page" if prefers_html(headers.get("accept", "")) else "json"
    ctype = headers.get("content-type", "").lower()
    if ctype.startswith(FORM_TYPES) and "x-csrf-token" not in headers:
        return "page"
    return "json"
