"""ASGI entry point: HTTP through Django, websockets through Channels.

Websockets are authenticated by the session and their Origin is checked against ALLOWED_HOSTS.
"""

import asyncio
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doeplein.settings")
django_asgi_app = get_asgi_application()  # sets Django up before anything imports models

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from doeplein import live  # noqa: E402
from doeplein.routing import websocket_urlpatterns  # noqa: E402

live.IN_WEB_PROCESS = True

http_app = django_asgi_app
if settings.SERVE_STATIC:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    http_app = ASGIStaticFilesHandler(django_asgi_app)

router = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)


async def application(scope, receive, send):
    """The router, plus a lifespan handler that runs the broker relay in the one-machine setup."""
    if scope["type"] != "lifespan":
        return await router(scope, receive, send)
    stop, relay = asyncio.Event(), None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if settings.LIVE_RELAY_VIA_BROKER:
                relay = asyncio.create_task(live.relay_from_broker(stop))
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            stop.set()
            if relay:
                await asyncio.wait([relay], timeout=2)
            await send({"type": "lifespan.shutdown.complete"})
            return
