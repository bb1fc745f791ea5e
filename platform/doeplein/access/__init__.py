"""The one access-control gate. Everything that shows or changes something asks it.

Two questions, and nothing else answers them:

* ``can(user, action, obj)`` — may this user do this action on this object? Besides the actions
  (view, contribute, change, moderate, manage) there is ``discover`` for spaces: may the user see
  its card and ask to join (members-only spaces are discoverable by logged-in users; secret ones not).
* ``visible(user, queryset)`` / ``filter_for(user, action, queryset)`` — which objects of this type
  may this user see (or act on)? A filter computed in SQL, never a loop over objects.

``check`` and ``get_object_or_404`` turn a "no" into the right HTTP answer: 404 for things the user
may not know exist (secret spaces and everything in them), 403 otherwise.
"""

_EXPORTS = {
    "ACTIONS",
    "AlreadyGuarded",
    "PLATFORM_ACTIONS",
    "SPACE_ACTIONS",
    "audience_allows",
    "can",
    "check",
    "decide",
    "discoverable",
    "filter_for",
    "follow",
    "get_object_or_404",
    "guard",
    "guarded_models",
    "hidden_from",
    "is_guarded",
    "role_in",
    "space_decisions",
    "visible",
}


def __getattr__(name):
    # Lazy re-export: importing doeplein.access must not import models before apps are ready.
    if name in _EXPORTS:
        from . import gate

        return getattr(gate, name)
    raise AttributeError(name)


__all__ = sorted(_EXPORTS)
