"""Where a form sends the person back to after it is done."""

import re

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# Control characters, and lone surrogates a broken client sends: neither belongs in an address.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff\\]")


def back_to(request: HttpRequest, default: str) -> str:
    """The form's ``next`` when it is a path on this site, else ``default``: never another site, never an
    address that cannot be sent in a Location header."""
    target = request.POST.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and len(target) <= 2000
        and not _UNSAFE.search(target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default
