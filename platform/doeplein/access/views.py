"""Membership pages for every kind of space. Thin: they call doeplein.access.actions and selectors."""

from django.http import HttpResponse


def members(request, space_id):
    return HttpResponse("todo")


def invitation(request, token):
    return HttpResponse("todo")
