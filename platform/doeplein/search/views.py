"""The search page, its suggestions and the OpenSearch description browsers read."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import number_format
from django.views.decorators.http import require_GET

from doeplein.plugins import search_sources

from .forms import SearchForm
from .models import count_limit
from .selectors import search, suggestions


def type_choices():
    return [(s.key, s.label) for s in search_sources()]


@require_GET
def search_page(request):
    form = SearchForm(request.GET or None, type_choices=type_choices())
    params, notes = form.params() if request.GET else (None, [])
    page = search(user=request.user, params=params) if params is not None else None
    if page is not None:
        page.notes[:0] = notes
    query = {k: v for k, v in request.GET.lists() if k != "page"}

    def link(**changes):
        merged = {**query, **{k: ([str(v)] if v is not None else []) for k, v in changes.items()}}
        return "?" + urlencode([(k, v) for k, values in merged.items() for v in values])

    pager = {}
    if page is not None:
        if page.has_previous:
            pager["previous"] = link(page=params.page - 1)
        if page.has_next:
            pager["next"] = link(page=params.page + 1)
        for name, values in page.facets.items():
            key = "type" if name == "type" else name
            for value in values:
                value["url"] = link(**{key: None if value["selected"] else value["value"]})
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "page": page,
            "pager": pager,
            "q": params.q if params else "",
            "limit_label": number_format(count_limit(), force_grouping=True),
        },
        status=200,
    )


@require_GET
def suggest(request):
    q = request.GET.get("q", "")[:200]
    found = suggestions(user=request.user, q=q)
    if request.GET.get("format") == "opensearch":
        # The OpenSearch suggestions format browsers read: [query, [completions]].
        return JsonResponse([q, [s["title"] for s in found]], safe=False)
    return JsonResponse({"suggestions": found})


@require_GET
def opensearch(request):
    base = getattr(settings, "SITE_URL", "") or request.build_absolute_uri("/").rstrip("/")
    body = render_to_string(
        "search/opensearch.xml",
        {
            "base": base,
            "search_url": base + reverse("search:search"),
            "suggest_url": base + reverse("search:suggest"),
            "language": settings.LANGUAGE_CODE,
        },
        request=request,
    )
    return HttpResponse(body, content_type="application/opensearchdescription+xml; charset=utf-8")
