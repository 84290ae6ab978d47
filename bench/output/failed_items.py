"""The summary's list of the items a task could not process: per group, path and error.

A task that raises for some items, and a file that cannot be read, give those items a
failure as their result (workloads.user_task); the run goes on, and every configuration
is verified to fail on the same items as the serial loop. The serial loop's list (in its
``failed_items`` metadata, at most ``workloads.user_task.FAILED_LISTED``) is shown here.
"""
from __future__ import annotations

import json

from bench.texts import messages

LISTED = 10


def failed_items_section(groups) -> list[str]:
    lines = []
    for g in groups:
        row = g.serial or (g.rows[0] if g.rows else None)
        raw = row.meta.get("failed_items") if row is not None else None
        try:
            items = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            items = None
        if not items:
            continue
        count = row.meta.get("items_failed")
        count = count if isinstance(count, int) else len(items)
        lines += ["", messages.FAILED_ITEMS_HEADING.format(group=g.key, count=count)]
        lines += [f"  {item}" for item in items[:LISTED]]
        if count > LISTED:
            lines.append(messages.FAILED_ITEMS_MORE.format(count=count - LISTED))
    return lines
