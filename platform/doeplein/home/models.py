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
# A CSS font stack: names, quotes, commas, spaces and hyphens only, so it can go into a style sheet safely.
font_stack = RegexValidator(
    r"^[A-Za-z0-9 ,'\"-]{1,200}$",
    _("Give font names separated by commas, for example: 'RO Sans', Verdana, sans-serif."),
)


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


class StatementPage(Page):
    """A statement every public body publishes: the privacy statement, the accessibility statement
    (toegankelijkheidsverklaring), the terms. Kept in the back office; the site settings say which
    one the footer links to."""

    intro = models.TextField(_("summary"), blank=True, max_length=500)
    body = RichTextField(_("text"), features=["bold", "italic", "link", "ol", "ul", "h2", "h3", "h4"])
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("last_reviewed"),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    template = "home/statement_page.html"

    class Meta:
        verbose_name = _("statement page")
        verbose_name_plural = _("statement pages")


class HomePage(Page):
    """The site's front page: an introduction, then what plugins add to it."""

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link", "ol", "ul", "h2", "h3"]
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    max_count = 1
    template = "home/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from doeplein.core.start import featured_spaces, public_feed, space_url, theme_links

        context = super().get_context(request, *args, **kwargs)
        context["themes"] = theme_links(Theme.objects.all()[:12])
        context["featured"] = [(space, space_url(space)) for space in featured_spaces(limit=6)]
        # The public home page tells what everyone may see, whoever is looking.
        from django.contrib.auth.models import AnonymousUser

        context["activities"] = public_feed(user=AnonymousUser(), limit=8)
        return context


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Name, logo and colours. Colours are checked for contrast in the admin form."""

    site_name = models.CharField(_("site name"), max_length=100, default="Doeplein")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#154273", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#ffb612", validators=[hex_colour]
    )
    font_family = models.CharField(
        _("font"),
        max_length=200,
        blank=True,
        validators=[font_stack],
        help_text=_("A font stack, e.g. 'RO Sans', Verdana, sans-serif. Empty: the theme's font."),
    )
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    contact_phone = models.CharField(_("contact telephone number"), max_length=40, blank=True)
    contact_address = models.TextField(_("postal address"), blank=True, max_length=300)
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("privacy statement"),
    )
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accessibility statement"),
    )

    panels = [
        FieldPanel("site_name"),
        FieldPanel("tagline"),
        FieldPanel("logo"),
        FieldPanel("primary_colour"),
        FieldPanel("accent_colour"),
        FieldPanel("font_family"),
        FieldPanel("contact_email"),
        FieldPanel("contact_phone"),
        FieldPanel("contact_address"),
        FieldPanel("privacy_page"),
        FieldPanel("accessibility_page"),
    ]

    class Meta:
        verbose_name = _("site settings")

    def clean(self):
        from django.core.exceptions import ValidationError

        from doeplein.core.contrast import contrast_ratio

        super().clean()
        errors = {}
        try:
            ratio = contrast_ratio(self.primary_colour, "#ffffff")
        except ValueError:
            ratio = None  # the field validator reports the format
        if ratio is not None and ratio < 4.5:
            errors["primary_colour"] = _(
                "White text on this colour has contrast %(ratio).1f:1; WCAG AA needs 4.5:1."
            ) % {"ratio": ratio}
        try:
            ratio = contrast_ratio(self.accent_colour, "#000000")
        except ValueError:
            ratio = None
        # The accent carries black text (the unread badge) and marks keyboard focus.
        if ratio is not None and ratio < 4.5:
            errors["accent_colour"] = _(
                "Black text on this colour has contrast %(ratio).1f:1; WCAG AA needs 4.5:1."
            ) % {"ratio": ratio}
        if errors:
            raise ValidationError(errors)
