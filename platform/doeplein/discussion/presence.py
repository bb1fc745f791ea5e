"""Who is in a room right now, shared through the cache (Redis in production) across server processes."""

from django.core.cache import cache

TTL = 3600


def _key(room_id):
    return f"discussion:presence:{room_id}"


def _change(room_id, user, delta):
    key = _key(room_id)
    people = cache.get(key) or {}
    entry = people.get(str(user.pk), {"name": user.display_name, "connections": 0})
    entry["connections"] += delta
    if entry["connections"] <= 0:
        people.pop(str(user.pk), None)
    else:
        people[str(user.pk)] = entry
    cache.set(key, people, TTL)
    return [{"id": int(pk), "name": e["name"]} for pk, e in sorted(people.items(), key=lambda item: int(item[0]))]


def enter(room_id, user):
    return _change(room_id, user, +1)


def leave(room_id, user):
    return _change(room_id, user, -1)


def online(room_id):
    people = cache.get(_key(room_id)) or {}
    return [{"id": int(pk), "name": e["name"]} for pk, e in sorted(people.items(), key=lambda item: int(item[0]))]
