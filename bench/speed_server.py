"""The app for the accuracy bench's server namespace: `gunicorn 'speed_server:app'`.

The instance folder comes from WSSB_INSTANCE (a temporary folder the bench makes), so the
repository's instance/ (its config.py, database, secret key) is never read or written.
Everything else (SECRET_KEY, SPEEDTEST_RATE_LIMIT, ...) comes from the environment as usual.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app

app = create_app({"INSTANCE_PATH": os.environ["WSSB_INSTANCE"]})
