"""Keep profiles fresh: any recorded activity schedules a refresh of its actor's profile; switching
"I may be suggested" off removes the profile at once (searches also filter on the switch live)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from doeplein.accounts.models import Profile
from doeplein.activity.models import Activity


@receiver(post_save, sender=Activity, dispatch_uid="teams_activity_refresh")
def activity_saved(sender, instance, created, **kwargs):
    if created and instance.actor_id:
        from .tasks import schedule_refresh

        schedule_refresh(instance.actor_id)


@receiver(post_save, sender=Profile, dispatch_uid="teams_profile_switch")
def profile_saved(sender, instance, **kwargs):
    from .profiles import forget

    if not instance.suggestible:
        forget(instance.user_id)
