from django.conf import settings
from django.core import checks

from . import conf


@checks.register(checks.Tags.security, deploy=True)
def scanner_configured(app_configs, **kwargs):
    if conf.get("FILES_SCANNER") == "none" and not settings.DEBUG:
        return [
            checks.Warning(
                "FILES_SCANNER is 'none': uploaded files are not checked for viruses.",
                hint="Set FILES_SCANNER=clamd and FILES_CLAMD_SOCKET (or FILES_CLAMD_HOST/PORT); see docs/files.md.",
                id="files.W001",
            )
        ]
    return []
