"""Operational endpoints."""

import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    key = "healthz:probe"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return what was stored")


def _check_channel_layer():
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def round_trip():
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "healthz.probe"})
        message = await layer.receive(channel)
        if message.get("type") != "healthz.probe":
            raise RuntimeError("channel layer returned another message")

    async_to_sync(round_trip)()


def _check_broker():
    from doeplein.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _check_search():
    """The search backend answers a query; reports which backend it is."""
    from doeplein.search.selectors import backend_status

    return backend_status()


CHECKS = {
    "database": _check_database,
    "cache": _check_cache,
    "channel_layer": _check_channel_layer,
    "broker": _check_broker,
    "search": _check_search,
}


@never_cache
@require_GET
def healthz(request):
    """The state of database, cache, channel layer and broker: 200 if all are up, else 503."""
    components, healthy = {}, True
    for name, probe in CHECKS.items():
        started = time.perf_counter()
        try:
            details = probe()
            components[name] = {"status": "up", "ms": round((time.perf_counter() - started) * 1000, 1)}
            if isinstance(details, dict):
                components[name].update(details)
        except Exception as exc:  # noqa: BLE001 -- a health check reports every failure, whatever it is
            healthy = False
            components[name] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
    body = {"status": "up" if healthy else "down", "components": components, "debug": settings.DEBUG}
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; answer with the static one."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("doeplein/favicon.ico"), permanent=True)


def start(request):
    """The personal start page after log-in; the public home page for everyone else."""
    from django.shortcuts import redirect, render

    from doeplein.core.start import start_context

    if not request.user.is_authenticated:
        return redirect("/")
    return render(request, "home/start.html", start_context(request))
