"""The language switch: Django's set_language, with a clear 400 for a language we do not speak."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .errors import error_response


@require_POST
def switch_language(request):
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        message = _("Unknown language %(code)s; choose one of: %(codes)s.") % {
            "code": code[:20],
            "codes": ", ".join(dict(settings.LANGUAGES)),
        }
        return error_response(request, 400, message)
    if request.user.is_authenticated:
        from doeplein.accounts.actions import do_set_language

        do_set_language(user=request.user, language=code)
    return set_language(request)
