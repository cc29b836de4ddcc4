"""``harvest --every 1d``: the simplest schedule for a server without cron or systemd timers."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def every_seconds(text: str) -> float:
    """Seconds in ``30m``, ``6h``, ``1d``; ValueError naming the text otherwise."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text or "")
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"--every {text!r} is not an interval such as 30m, 6h or 1d.")
    return float(match.group(1)) * _UNITS[match.group(2)]


def repeat(job: Callable[[], bool], interval_s: float, sleep: Callable[[float], None] = time.sleep,
           times: int | None = None) -> None:
    """Run ``job`` now and then every ``interval_s`` (from each start), ``times`` times or until interrupted."""
    done = 0
    while times is None or done < times:
        started = time.monotonic()
        ok = job()
        done += 1
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        print(f"{stamp}: harvest {'done' if ok else 'had failures (see above)'}; next in {interval_s:.0f} s.",
              file=sys.stderr, flush=True)
        if times is None or done < times:
            sleep(max(0.0, interval_s - (time.monotonic() - started)))
