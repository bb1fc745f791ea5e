"""Recording activity. Every ``do_*`` action calls :func:`record` inside its transaction."""

from django.contrib.contenttypes.models import ContentType

from .models import Activity


def record(*, actor, verb, target=None, space=None, audience="logged_in", data=None) -> Activity:
    """Record that ``actor`` did ``verb`` on ``target`` in ``space``."""
    if space is not None:
        # "Most active" directories sort on this; one cheap update instead of counting activity.
        from django.utils import timezone

        from doeplein.spaces.models import Space

        Space.objects.filter(pk=space.pk).update(last_activity_at=timezone.now())
    return Activity.objects.create(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        space=space,
        audience=audience,
        data=data or {},
    )
