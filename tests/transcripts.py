"""Reading what `flash review` printed, piped (tab-separated title lines) or on a terminal (panels)."""

from __future__ import annotations

import re

# piped: "deck/entry/kind<TAB>3 done · 2 left" (a drill: "deck/entry/kind · again<TAB>...")
PIPED_FRONT = re.compile(r"^(\S+)(?: · again)?\t\d+ done · \d+ left$")


def shown(output: str) -> list[str]:
    """The cards a review transcript showed, in order, with ' · again' on a drill."""
    found = []
    for line in output.splitlines():
        if line.startswith("╭─ ") and not line.startswith("╭─ answer"):
            found.append(line[3:].split(" ─")[0])
        elif PIPED_FRONT.match(line):
            found.append(line.split("\t")[0])
    return found
