"""/healthz reports each component, and answers 503 naming the one that is down."""

import pytest
from django.test import override_settings

from tests.support.celery_worker import Broker, sending_to

pytestmark = pytest.mark.django_db

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def healthz(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    body = response.json()
    return response.status_code, body, {name: c["status"] for name, c in body["components"].items()}


def test_all_components_up_is_200(client):
    status, body, components = healthz(client)

    assert status == 200, body
    assert body["status"] == "up"
    assert components == {
        "database": "up",
        "cache": "up",
        "channel_layer": "up",
        "broker": "up",
        "search": "up",
    }
    assert all(isinstance(c["ms"], float) for c in body["components"].values())


def test_healthz_is_not_cached_and_only_answers_get(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED_PORT_REDIS}
    }
)
def test_unreachable_cache_is_503_with_cache_down(client):
    status, body, components = healthz(client)

    assert status == 503
    assert body["status"] == "down"
    assert components == {
        "database": "up",
        "cache": "down",
        "channel_layer": "up",
        "broker": "up",
        "search": "up",
    }
    assert "Connection" in body["components"]["cache"]["error"]


@override_settings(
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [CLOSED_PORT_REDIS]},
        }
    }
)
def test_unreachable_channel_layer_is_503_with_channel_layer_down(client):
    status, body, components = healthz(client)

    assert status == 503
    assert components == {
        "database": "up",
        "cache": "up",
        "channel_layer": "down",
        "broker": "up",
        "search": "up",
    }


def test_missing_channel_layer_is_503(client):
    with override_settings(CHANNEL_LAYERS={}):
        status, _body, components = healthz(client)

    assert status == 503
    assert components["channel_layer"] == "down"


def test_unreachable_broker_is_503_with_broker_down(client, tmp_path):
    with sending_to(Broker(CLOSED_PORT_REDIS, {}, "doeplein", tmp_path, True)):
        status, body, components = healthz(client)

    assert status == 503
    assert components == {
        "database": "up",
        "cache": "up",
        "channel_layer": "up",
        "broker": "down",
        "search": "up",
    }
    assert body["components"]["broker"]["error"]
