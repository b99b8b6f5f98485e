#!/usr/bin/env python3
"""dunst `script=` hook: append each notification dunst received as one JSON line to $NOTIFY_LOG.

dunst runs this with its own environment (the session exported NOTIFY_LOG before starting it),
so it must stay stdlib-only and work with any python3 on PATH.
"""

import json
import os
import sys

record = {k[6:].lower(): v for k, v in os.environ.items() if k.startswith("DUNST_")}
record.update(zip(["appname", "summary", "body", "icon", "urgency"], sys.argv[1:6], strict=False))
# One write() of one line: concurrent hooks append whole lines, never interleaved halves.
with open(os.environ.get("NOTIFY_LOG", "/tmp/notifications.jsonl"), "a") as fh:
    fh.write(json.dumps(record) + "\n")
