"""The Celery app of each cluster process, made from the broker URL (no module-level app)."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.cluster import ClusterUnavailable, require
from crawler.cluster.settings import CRAWL_QUEUE, VISIBILITY_TIMEOUT

BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")


def check_broker(url: str) -> str:
    """``url`` if it is a broker URL Celery can use, else ClusterUnavailable saying what is wrong."""
    scheme = urlsplit(url).scheme
    if scheme not in BROKER_SCHEMES:
        raise ClusterUnavailable(f"--broker {url!r}: not a broker URL; use redis://[:PASSWORD@]HOST:6379/0 "
                                 "(or amqp://USER:PASSWORD@HOST:5672// for RabbitMQ)")
    return url


def result_backend(broker: str) -> str:
    """Where task results go: Redis itself, or for RabbitMQ Celery's reply queues (``rpc://``)."""
    return broker if urlsplit(broker).scheme.startswith("redis") else "rpc://"


def make_app(broker: str, name: str = "newsarchive"):
    """A Celery app for ``broker``: JSON only, tasks acknowledged when done (a task whose worker
    dies is run again), one task prefetched at a time."""
    require()
    from celery import Celery

    check_broker(broker)
    timeout = VISIBILITY_TIMEOUT.value()
    app = Celery(name, broker=broker, backend=result_backend(broker), set_as_current=False)
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_default_queue=CRAWL_QUEUE,
        # a dead worker's task is looked for every twentieth of the timeout (at most a minute)
        broker_transport_options={"visibility_timeout": timeout, "unacked_restore_throttle": 1,
                                  "unacked_restore_interval": max(1.0, min(60.0, timeout / 20))},
        result_expires=max(timeout, 86400), broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None, worker_hijack_root_logger=False, worker_redirect_stdouts=False,
        worker_cancel_long_running_tasks_on_connection_loss=False, task_send_sent_event=False)
    return app


def redis_client(broker: str):
    """A redis-py client for the broker (site locks and stop marks live there)."""
    import redis

    if not urlsplit(broker).scheme.startswith("redis"):
        raise ClusterUnavailable("site locks across hosts need a Redis broker (redis://...)")
    return redis.Redis.from_url(broker, socket_timeout=30, socket_connect_timeout=10, health_check_interval=30)
