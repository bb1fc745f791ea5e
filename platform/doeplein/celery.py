"""The Celery application. Broker: Redis when REDIS_URL is set, else files under var/broker."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doeplein.settings")

app = Celery("doeplein")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _mark_worker_process(**kwargs):
    # Live events raised in a worker go through the broker when there is no shared channel layer.
    from doeplein import live

    live.IN_WORKER = True
