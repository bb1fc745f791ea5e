"""Workspaces: places around a theme, opened by civil servants. Each is a :class:`~doeplein.spaces.models.Space`."""

from django.conf import settings
from django.core.validators import MinLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.fields import RichTextField

from doeplein.spaces.models import Space


class WorkspaceTag(TaggedItemBase):
    content_object = ParentalKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Workspace(ClusterableModel, Space):
    KIND = "workspace"

    slug = models.SlugField(_("web address"), max_length=80, unique=True, validators=[MinLengthValidator(2)])
    description = models.CharField(_("short description"), max_length=300, blank=True)
    welcome = RichTextField(
        _("welcome text"), blank=True, features=["bold", "italic", "link", "ol", "ul", "h2", "h3"]
    )
    themes = ParentalManyToManyField("home.Theme", related_name="workspaces", verbose_name=_("themes"))
    tags = ClusterTaggableManager(through=WorkspaceTag, blank=True, verbose_name=_("tags"))
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cover image"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["name"]

    def save(self, *args, **kwargs):
        self.kind = self.KIND
        self.parent = None  # workspaces are top-level
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("workspaces:detail", kwargs={"slug": self.slug})
