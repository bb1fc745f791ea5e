"""The base layout reads the site's settings, and keeps serving pages while no site is set up."""

import pytest
from wagtail.models import Site

from doeplein.home.models import SiteSettings

pytestmark = pytest.mark.django_db


def test_pages_render_with_the_default_look_when_no_site_exists(client):
    Site.objects.all().delete()
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "--doeplein-primary: #154273" in client.get("/theme.css").content.decode()


def test_the_site_name_and_colours_come_from_the_site_settings(client):
    site = Site.objects.get(is_default_site=True)
    SiteSettings.objects.update_or_create(
        site=site, defaults={"site_name": "Gemeente Zwolle", "primary_colour": "#0b3d6b"}
    )
    html = client.get("/accounts/login/").content.decode()
    assert "Gemeente Zwolle" in html
    assert "/theme.css" in html
    assert "--doeplein-primary: #0b3d6b" in client.get("/theme.css").content.decode()
