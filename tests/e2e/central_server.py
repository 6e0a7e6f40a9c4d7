"""Run a central server for the end-to-end tests: `python -m tests.e2e.central_server URL DIR PORT`.

A separate process, so a test can kill it with SIGKILL in the middle of a push.
"""

from __future__ import annotations

import sys

from werkzeug.serving import make_server

from app import create_app


def main() -> None:
    database_url, instance, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "central-test",
            "RATELIMIT_ENABLED": False,
            "GEOCODER_DOMAIN": "127.0.0.1:9",
            "GEOCODER_SCHEME": "http",
        }
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
