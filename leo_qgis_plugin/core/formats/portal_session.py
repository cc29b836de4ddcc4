"""Talking politely to a DNO open-data portal: its rate limits, its User-Agent, its API key, its errors.

Standard library only and transport-agnostic: the plugin hands in a transport over QGIS's network stack,
the catalogue server's harvest one over urllib. Everything a portal does wrong (down, slow, 429, HTML
instead of JSON, a key refused) becomes a :class:`PortalError` naming the portal and the dataset.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

from .errors import FormatError
from .portals import Portal

# Who is asking, where a portal does not need a browser's User-Agent (QGIS sends its own in the plugin).
USER_AGENT = "LEO-for-QGIS/0.1 (+https://github.com/project-leo/leo-qgis)"
# The longest a client waits for a Retry-After before giving up and saying so.
MAX_RETRY_WAIT_S = 120.0


class PortalError(FormatError):
    """A portal did not give what was asked; the message names the portal and the dataset."""


@dataclass
class Answer:
    """What a transport got back: the HTTP status, the answer's headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes


class Unreachable(Exception):
    """Raised by a transport when no HTTP answer came (refused, timed out, cut short); ``str`` says why."""


# A transport: GET ``url`` with ``headers``; an Answer for any HTTP status, Unreachable when there was none.
Transport = Callable[[str, dict[str, str]], Answer]


@dataclass
class Throttle:
    """Keeps at least ``interval_s`` between requests of one kind (NESO: 1 s between API requests, 30 s
    between datastore requests)."""

    interval_s: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    last: float | None = None

    def wait(self) -> None:
        if self.last is not None and self.interval_s > 0:
            pause = self.last + self.interval_s - self.clock()
            if pause > 0:
                self.sleep(pause)
        self.last = self.clock()


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


@dataclass
class PortalSession:
    """Requests to one portal through ``transport``, within its rate limits, with its headers."""

    portal: Portal
    transport: Transport
    api_key: str = ""
    sleep: Callable[[float], None] = time.sleep
    retries: int = 2
    requests: int = 0
    transport_authcfg: str = ""  # what the plugin's transport authenticates with (QGIS's authcfg), if anything
    throttles: dict[str, Throttle] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.throttles = {
            "api": Throttle(self.portal.min_interval_s, sleep=self.sleep),
            "datastore": Throttle(self.portal.datastore_interval_s, sleep=self.sleep),
        }

    def url(self, path: str, params: dict | None = None) -> str:
        query = urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})
        return f"{self.portal.url}{path.lstrip('/')}" + (f"?{query}" if query else "")

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": self.portal.user_agent or USER_AGENT}
        if self.api_key:
            headers["Authorization"] = f"Apikey {self.api_key}"
        return headers

    def get(self, url: str, dataset: str, kind: str = "api") -> Answer:
        """One GET within the portal's limits; a 429 is waited out (its Retry-After) up to ``retries`` times."""
        for attempt in range(self.retries + 1):
            if kind != "api":  # a datastore request is an API request too: both limits hold
                self.throttles[kind].wait()
            self.throttles["api"].wait()
            self.requests += 1
            try:
                answer = self.transport(url, self.headers())
            except Unreachable as exc:
                raise PortalError(f"{self.portal.name}'s portal could not be reached for {dataset} ({exc}); "
                                  "it may be down or slow: try again later.") from None
            if answer.status != 429:
                break
            wait = retry_after_seconds(answer.headers.get("retry-after"))
            wait = self.portal.min_interval_s * 2 ** attempt + 1 if wait is None else wait
            if attempt == self.retries or wait > MAX_RETRY_WAIT_S:
                raise PortalError(f"{self.portal.name}'s portal is limiting requests (HTTP 429) for {dataset}: "
                                  f"asked to wait {wait:.0f} s; try again later.")
            self.sleep(wait)
        self.check(answer, dataset)
        return answer

    def get_json(self, url: str, dataset: str, kind: str = "api"):
        body = self.get(url, dataset, kind).body
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            start = body[:60].decode("utf-8", "replace").strip()
            raise PortalError(f"{self.portal.name}'s portal did not answer {dataset} with JSON (it began "
                              f"{start!r}): is {self.portal.url} the right address?") from None

    def check(self, answer: Answer, dataset: str) -> None:
        """PortalError naming the portal, the dataset and what to do, for an HTTP error answer."""
        if answer.status < 400:
            return
        said = portal_message(answer.body)
        said = f" The portal said: {said}" if said else ""
        name = self.portal.name
        if answer.status in (401, 403) and self.portal.kind == "ckan" and not self.api_key:
            hint = "it refused this client (SSEN's portal refuses non-browser User-Agents)"
        elif answer.status in (401, 403):
            hint = ("it needs an API key: add one to this portal's connection (QGIS authentication, header "
                    "'Authorization: Apikey …') or the harvest's key setting" if not self.api_key
                    else "the API key was refused")
        elif answer.status == 404:
            hint = "no such dataset on the portal (renamed or withdrawn?)"
        elif answer.status == 400:
            hint = "the portal refused the request"
        else:
            hint = f"the portal failed (HTTP {answer.status}); try again later"
        raise PortalError(f"{name}'s portal, {dataset}: HTTP {answer.status}, {hint}.{said}")


def portal_message(body: bytes) -> str:
    """The portal's own words in an error answer: Opendatasoft's ``message``, CKAN's ``error.message``."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    if not isinstance(data, dict):
        return ""
    error = data.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("__type") or "")
    return str(data.get("message") or error or "")
