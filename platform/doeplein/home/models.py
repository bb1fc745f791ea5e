"""The Wagtail site: home page, the themes administrators keep, and site settings."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give a colour as #RRGGBB, for example #154273."))


@register_snippet
class Theme(index.Indexed, models.Model):
    """A theme of public work (climate adaptation, youth care …), kept by administrators."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=1000)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name


class HomePage(Page):
    """The site's front page: an introduction, then what plugins add to it."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ol", "ul", "h2", "h3"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    max_count = 1
    template = "home/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from doeplein.activity.selectors import activity_feed
        from doeplein.home.models import Theme

        context = super().get_context(request, *args, **kwargs)
        context["themes"] = Theme.objects.all()[:12]
        context["activities"] = activity_feed(user=request.user)[:10]
        return context


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Name, logo and colours. Colours are checked for contrast in the admin form."""

    site_name = models.CharField(_("site name"), max_length=100, default="Doeplein")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("logo")
    )
    primary_colour = models.CharField(_("primary colour"), max_length=7, default="#154273", validators=[hex_colour])
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#ffb612", validators=[hex_colour])

    panels = [
        FieldPanel("site_name"),
        FieldPanel("tagline"),
        FieldPanel("logo"),
        FieldPanel("primary_colour"),
        FieldPanel("accent_colour"),
    ]

    class Meta:
        verbose_name = _("site settings")

    def clean(self):
        from django.core.exceptions import ValidationError

        from doeplein.core.contrast import contrast_ratio

        super().clean()
        try:
            ratio = contrast_ratio(self.primary_colour, "#ffffff")
        except ValueError:
            return  # the field validator reports the format
        if ratio < 4.5:
            raise ValidationError(
                {"primary_colour": _("White text on this colour has contrast %(ratio).1f:1; WCAG AA needs 4.5:1.")
                 % {"ratio": ratio}}
            )
