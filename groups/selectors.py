"""Reading groups through the access gate."""

from django.db.models import Q, QuerySet

from doeplein.access import discoverable, get_object_or_404

from .models import Group


def group_list(*, user, workspace=None, q=None, mine=False) -> QuerySet:
    qs = discoverable(user, Group.objects.all()).filter(is_archived=False)
    if workspace is not None:
        qs = qs.filter(parent=workspace.space_ptr)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if mine:
        qs = qs.filter(memberships__user=user) if user.is_authenticated else qs.none()
    return qs.select_related("parent").order_by("name", "pk")


def group_by_id(*, user, pk, action="discover") -> Group:
    return get_object_or_404(user, Group.objects.select_related("parent"), action, pk=pk)
