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
    activity = prepare(actor=actor, verb=verb, target=target, space=space, audience=audience, data=data)
    activity.save()
    return activity


def prepare(*, actor, verb, target=None, space=None, audience="logged_in", data=None) -> Activity:
    """An activity record as :func:`record` would write it, not saved yet (see :func:`record_many`)."""
    return Activity(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        space=space,
        audience=audience,
        data=data or {},
    )


def record_many(activities):
    """Write prepared records in one statement, with what :func:`record` does for each: the spaces'
    "last activity" time and the ``post_save`` signal (the teams' profiles and search listen)."""
    from django.db.models.signals import post_save
    from django.utils import timezone

    from doeplein.spaces.models import Space

    activities = list(activities)
    if not activities:
        return []
    now = timezone.now()
    space_ids = {a.space_id for a in activities if a.space_id is not None}
    if space_ids:
        Space.objects.filter(pk__in=space_ids).update(last_activity_at=now)
    created = Activity.objects.bulk_create(activities)
    for activity in created:
        post_save.send(
            sender=Activity, instance=activity, created=True, update_fields=None, raw=False, using="default"
        )
    return created
