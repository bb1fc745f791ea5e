from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "files"
    label = "files"
    verbose_name = _("Files")

    def ready(self):
        # The plugin's periodic work joins Celery beat's schedule here, so no core setting names it.
        from doeplein.celery import app

        from . import checks  # noqa: F401 -- registers the system checks

        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            "files-empty-trash": {"task": "files.tasks.empty_trash_task", "schedule": timedelta(hours=6)},
            "files-expire-uploads": {
                "task": "files.tasks.expire_uploads_task",
                "schedule": timedelta(hours=1),
            },
        }
