"""The Celery application. Broker: Redis when REDIS_URL is set, else files under var/broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doeplein.settings")

app = Celery("doeplein")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
