"""Site URLs: the core's pages, what plugins add through the URL hook, then Wagtail's page tree."""

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from doeplein.api.urls import api
from doeplein.core.errors import api_not_found
from doeplein.core.i18n import switch_language
from doeplein.core.theme import theme
from doeplein.core.views import favicon, healthz, start
from doeplein.plugins import HOOK_URLS, collect
from doeplein.spaces.views import invitation

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("theme.css", theme, name="theme-css"),
    path("favicon.ico", favicon, name="favicon"),
    path("start/", start, name="start"),
    path("language/", switch_language, name="set-language"),
    path("accounts/", include("allauth.urls")),
    path("people/", include("doeplein.accounts.urls")),
    path("notifications/", include("doeplein.notifications.urls")),
    path("spaces/", include("doeplein.spaces.urls")),
    path("discussion/", include("doeplein.discussion.urls")),
    path("moderation/", include("doeplein.moderation.urls")),
    path("invitations/<str:token>/", invitation, name="invitation"),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),  # JSON 404 for the rest of /api/
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    *collect(HOOK_URLS),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))

handler400 = "doeplein.core.errors.bad_request"
handler403 = "doeplein.core.errors.permission_denied"
handler404 = "doeplein.core.errors.page_not_found"
handler500 = "doeplein.core.errors.server_error"
