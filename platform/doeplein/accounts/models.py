"""People and their profiles.

Every profile field has its own audience (everyone, logged-in users, only me); the access gate
(:func:`doeplein.access.audience_allows`) decides who sees what.
"""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    LOGGED_IN = "logged_in", _("Logged-in users")
    ONLY_ME = "only_me", _("Only me")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person. Logs in with an e-mail address; the public face is :class:`Profile`."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True, max_length=254)
    is_deleted = models.BooleanField(
        _("deleted"), default=False, help_text=_("The account was deleted; its content stays, anonymised.")
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("open_workspace", _("Can open workspaces (civil servant)")),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.is_deleted:
            return str(_("Deleted user"))
        return self.get_full_name() or self.email.split("@")[0]


class ProfileTag(TaggedItemBase):
    content_object = ParentalKey("accounts.Profile", on_delete=models.CASCADE, related_name="tagged_items")


def avatar_path(instance, filename):
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"avatars/{uuid.uuid4().hex}.{extension}"


class Profile(ClusterableModel):
    """What a person tells about themself, with an audience per field."""

    # Fields whose audience the person chooses. Name is always shown: it attributes content.
    PRIVATE_FIELDS = (
        "organisation",
        "job_title",
        "avatar",
        "bio",
        "skills",
        "experience",
        "education",
        "themes",
    )
    DEFAULT_AUDIENCE = {
        "organisation": Audience.EVERYONE,
        "job_title": Audience.EVERYONE,
        "avatar": Audience.EVERYONE,
        "bio": Audience.LOGGED_IN,
        "skills": Audience.LOGGED_IN,
        "experience": Audience.LOGGED_IN,
        "education": Audience.LOGGED_IN,
        "themes": Audience.LOGGED_IN,
    }

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    avatar = models.ImageField(
        _("avatar"),
        upload_to=avatar_path,
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp", "gif"])],
    )
    bio = models.TextField(_("about me"), max_length=4000, blank=True)
    skills = ClusterTaggableManager(through=ProfileTag, blank=True, verbose_name=_("skills"))
    themes = ParentalManyToManyField("home.Theme", blank=True, verbose_name=_("themes of interest"))
    audience = models.JSONField(_("who sees each field"), default=dict, blank=True)
    suggestible = models.BooleanField(
        _("I may be suggested as an expert or team member"),
        default=False,
        help_text=_("When on, the expert finder and team suggestions may name you."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the pages, notifications and e-mails you get. Empty: your browser's."),
    )
    digest = models.CharField(
        _("e-mail summary of unread notifications"),
        max_length=10,
        choices=[("never", _("never")), ("daily", _("daily")), ("weekly", _("weekly"))],
        default="daily",
    )
    digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return self.user.display_name

    # Who may find the person in the site search (by name and the fields they may see), kept with the
    # fields' audiences: "only_me" means only platform administrators find them.
    FINDABLE = "search"
    DEFAULT_FINDABLE = Audience.EVERYONE

    def findable_by(self):
        value = (self.audience or {}).get(self.FINDABLE) or self.DEFAULT_FINDABLE
        return value if value in Audience.values else Audience.ONLY_ME

    def audience_for(self, field):
        value = (self.audience or {}).get(field) or self.DEFAULT_AUDIENCE[field]
        return value if value in Audience.values else Audience.ONLY_ME


class ProfileEntry(models.Model):
    """One experience or education line on a profile."""

    class Kind(models.TextChoices):
        EXPERIENCE = "experience", _("Experience")
        EDUCATION = "education", _("Education")

    profile = ParentalKey(Profile, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    organisation = models.CharField(_("organisation or school"), max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(_("from (year)"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("until (year)"), null=True, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)

    class Meta:
        ordering = ["kind", "-start_year", "pk"]
        verbose_name = _("profile entry")
        verbose_name_plural = _("profile entries")

    def __str__(self):
        return self.title
