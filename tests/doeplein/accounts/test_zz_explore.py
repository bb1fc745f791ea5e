import pytest
pytestmark = pytest.mark.django_db
def test_explore(client):
    r = client.get("/")
    print(r.status_code, [t.name for t in r.templates][:5])
    from wagtail.models import Page, Site
    print(list(Page.objects.values("id","depth","title","content_type__model")), list(Site.objects.values()))
