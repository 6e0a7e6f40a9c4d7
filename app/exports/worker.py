"""`flask --app app export-worker`: serve the Redis export queue (EXPORT_QUEUE=rq)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("export-worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def export_worker_command(burst: bool) -> None:
    """Run export jobs from the Redis queue in this process, inside the app context."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(current_app.config["EXPORT_REDIS_URL"])
    queue = Queue(current_app.config["EXPORT_RQ_QUEUE"], connection=connection)
    # SimpleWorker runs each job in this process, where the app context and its database
    # pool already are (a forking worker would share the pool's sockets with its children).
    SimpleWorker([queue], connection=connection).work(burst=burst)
