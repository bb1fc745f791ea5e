"""The site's house style as design tokens: /theme.css sets the NL Design System theme's colour
scales and font from the site settings, so each organisation's platform carries its own colours,
logo and font without rebuilding the bundled CSS (static/nlds/nlds.css)."""

import hashlib

from django.http import HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_GET

from doeplein.core.context_processors import site_settings

# How far each step of a scale is mixed towards white (positive) or black (negative); 500 is the colour.
SCALE = {
    50: 0.96,
    100: 0.9,
    200: 0.8,
    300: 0.6,
    400: 0.2,
    500: 0.0,
    600: -0.25,
    700: -0.45,
    800: -0.6,
    900: -0.7,
}
# The example theme's palettes that carry its identity: violet for accents and actions, blue for links.
PRIMARY_SCALES = ("violet", "blauw")
DEFAULT_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


def _mix(colour, amount):
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    target = 255 if amount > 0 else 0
    mixed = [round(c + (target - c) * abs(amount)) for c in channels]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def theme_css(settings):
    """The CSS custom properties for ``settings`` (a SiteSettings)."""
    primary = settings.primary_colour or "#154273"
    accent = settings.accent_colour or "#ffb612"
    lines = [".doeplein-theme {"]
    for scale in PRIMARY_SCALES:
        for step, amount in SCALE.items():
            lines.append(f"  --voorbeeld-kleuren-{scale}-{step}: {_mix(primary, amount)};")
    lines += [
        f"  --doeplein-primary: {primary};",
        f"  --doeplein-primary-dark: {_mix(primary, -0.45)};",
        f"  --doeplein-primary-subtle: {_mix(primary, 0.92)};",
        f"  --doeplein-accent: {accent};",
    ]
    # The example theme names Noto fonts it does not ship; the platform serves no font files unless an
    # organisation adds its own, so the default is the visitor's system font.
    font = settings.font_family or DEFAULT_FONT
    lines += [
        f"  --basis-text-font-family-default: {font};",
        f"  --basis-heading-font-family: {font};",
        f"  --utrecht-document-font-family: {font};",
    ]
    lines.append("}")
    return "\n".join(lines) + "\n"


@require_GET
def theme(request):
    css = theme_css(site_settings(request))
    etag = '"' + hashlib.sha256(css.encode()).hexdigest()[:16] + '"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response
