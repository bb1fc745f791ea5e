"""Reads: the expert finder and stored team requests, always through the gate."""

import threading

from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from doeplein.access import visible

from .ranking import ExpertIndex

_cache = {}
_lock = threading.Lock()


def _index():
    """One BM25 index over all activity profiles, rebuilt in this process when a profile changes."""
    from .models import ExpertProfile

    stamp = ExpertProfile.objects.aggregate(latest=Max("updated_at"))["latest"], ExpertProfile.objects.count()
    with _lock:
        if _cache.get("stamp") == stamp:
            return _cache["index"], _cache["ids"], _cache["profiles"]
    rows = list(ExpertProfile.objects.values("user_id", "document", "documents", "stats", "skills"))
    ids = [r["user_id"] for r in rows]
    texts, authors, weights = [], [], []
    for i, r in enumerate(rows):
        for d in r["documents"]:
            texts.append(d["text"])
            authors.append([i])
            weights.append(d["weight"])
    index = ExpertIndex([r["document"] for r in rows], texts, authors, weights)
    profiles = {r["user_id"]: r for r in rows}
    # Document index -> (person, document within their profile), for reasons.
    with _lock:
        _cache.update(stamp=stamp, index=index, ids=ids, profiles=profiles)
    return index, ids, profiles


def people_for(asker):
    """People the asker may see named as experts: active, not deleted, and suggestible *now*."""
    from doeplein.accounts.models import User

    return User.objects.filter(is_active=True, is_deleted=False, profile__suggestible=True).exclude(
        pk=getattr(asker, "pk", None)
    )


def find_experts(*, asker, query="", skills=(), organisation="", space=None, limit=20):
    """Ranked experts with reasons. ``space``: only its members (a space the asker may see)."""
    from doeplein.accounts.models import Audience
    from doeplein.spaces.models import Space

    text = " ".join([query or "", *skills]).strip()
    if not text:
        return []
    index, ids, profiles = _index()
    if not ids:
        return []
    people = people_for(asker)
    if organisation:
        # Only where the person shows their organisation to logged-in users.
        people = people.filter(profile__organisation__iexact=organisation.strip())
    if space is not None:
        people = people.filter(memberships__space=space)
    allowed_ids = set(people.values_list("pk", flat=True))
    if organisation:
        from doeplein.accounts.models import Profile

        hidden = {
            p.user_id
            for p in Profile.objects.filter(user_id__in=allowed_ids)
            if p.audience_for("organisation") not in (Audience.EVERYONE, Audience.LOGGED_IN)
        }
        allowed_ids -= hidden
    import numpy as np

    allowed = np.array([i in allowed_ids for i in ids], dtype=bool)
    hits = index.search(text, k=limit, allowed=allowed)
    users = {
        u.pk: u for u in people.filter(pk__in=[ids[h.candidate] for h in hits]).select_related("profile")
    }
    space_names = dict(visible(asker, Space.objects.all()).values_list("pk", "name"))
    wanted = {s.casefold() for s in skills} | {w.casefold() for w in (query or "").split()}
    results = []
    for h in hits:
        uid = ids[h.candidate]
        if uid not in users:
            continue
        results.append(
            {
                "user": users[uid],
                "score": round(h.score, 4),
                "reasons": _reasons(profiles[uid], h, index, space_names, wanted),
            }
        )
    return results


def _reasons(profile, hit, index, space_names, wanted):
    """Counts and names only, never content: "wrote 4 messages in Waterbeheer", "skill: hydrologie"."""
    reasons = []
    stats = profile["stats"] or {}
    for skill in stats.get("declared_skills", []):
        if skill.casefold() in wanted or any(w in skill.casefold() for w in wanted if len(w) > 3):
            reasons.append(_("skill: %(skill)s") % {"skill": skill})
    for theme in stats.get("declared_themes", []):
        if theme.casefold() in wanted or any(w in theme.casefold() for w in wanted if len(w) > 3):
            reasons.append(_("theme: %(theme)s") % {"theme": theme})
    # The matching documents, counted per space (only spaces the asker may see are named).
    counts = {}
    docs = profile["documents"]
    offset = _offset(index, hit.candidate)
    for j in hit.documents:
        d = docs[j - offset] if 0 <= j - offset < len(docs) else None
        if d is None:
            continue
        counts[d.get("space")] = counts.get(d.get("space"), 0) + 1
    matching = sum(counts.values())
    for space_id, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        name = space_names.get(space_id)
        if name:
            reasons.append(
                ngettext(
                    "%(n)d matching contribution in %(space)s", "%(n)d matching contributions in %(space)s", n
                )
                % {"n": n, "space": name}
            )
    if not matching and not reasons:
        reasons.append(_("profile matches the question"))
    return reasons


def _offset(index, candidate):
    """The index of a candidate's first document (documents are laid out candidate by candidate)."""
    col = index._by_candidate
    their = col.indices[col.indptr[candidate] : col.indptr[candidate + 1]]
    return int(their.min()) if len(their) else 0


def team_request_for(*, user, request_id):
    """A team request the user may see (managers of its space), or 404."""
    from django.http import Http404

    from doeplein.access import can

    from .models import TeamRequest

    req = TeamRequest.objects.select_related("space").filter(pk=request_id).first()
    if req is None or not can(user, "moderate", req.space):
        raise Http404
    return req
