"""The blogs plugin for Doeplein. It plugs in through doeplein.plugins hooks (see wagtail_hooks.py)."""

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogsConfig(AppConfig):
    name = "blogs"
    label = "blogs"
    verbose_name = _("Blogs")

    def ready(self):
        # Scheduled publishing: beat runs the task every minute (it publishes what is due and
        # expires what has ended, through the same actions as the pages).
        from doeplein.celery import app

        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            "blogs-publish-scheduled": {
                "task": "blogs.tasks.publish_scheduled_posts",
                "schedule": timedelta(minutes=1),
            },
        }
