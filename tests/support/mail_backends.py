"""E-mail delivery backends for worker tests (set as the worker's EMAIL_DELIVERY_BACKEND)."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class PausingFileBackend(FileBackend):
    """Writes mail to EMAIL_FILE_PATH, as Django's file backend does. With DOEPLEIN_TEST_MAIL_PAUSE=<s> it
    first leaves a ``delivering`` marker beside that folder and waits, like a slow mail server: a test
    kills the worker in that wait, mid-delivery, before anything was written."""

    def send_messages(self, email_messages):
        pause = float(os.environ.get("DOEPLEIN_TEST_MAIL_PAUSE", "0") or 0)
        if pause and email_messages:
            marker = Path(self.file_path).parent / "delivering"
            marker.write_text(str(os.getpid()))
            time.sleep(pause)
        return super().send_messages(email_messages)
