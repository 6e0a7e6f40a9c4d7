"""WSGI entry point for gunicorn: `gunicorn 'app.wsgi:app'`."""

import gc

from app import create_app

app = create_app()
# What the app built at start (modules, the rubric, the compiled form, SQLAlchemy's mappers)
# lives as long as the process: frozen, the collector stops walking it on every full
# collection. A push of 100 sites spent ~5 ms of its ~55 in the collector before, ~1 ms after
# (bench/push_ingest.py, 2026-11-29).
gc.collect()
gc.freeze()
