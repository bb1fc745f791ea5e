"""Group pages: the list, creating, the group's home and editing. Thin: forms validate, actions
(actions.py) change state, selectors (selectors.py) read through the access gate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from doeplein.access import can
from doeplein.core.exceptions import ActionError
from doeplein.spaces.kinds import find_by_slug, space_url
from doeplein.spaces.views import form_status, paginate, refuse, space_page_context, submit

from .actions import check_may_create_group, do_create_group, do_update_group
from .forms import GroupForm, GroupSearchForm
from .models import Group
from .selectors import group_by_id, group_list

PER_PAGE = 24
MY_GROUPS_SHOWN = 50


def _parent_by_slug(request, slug):
    """The space a group lives in, named by its web address (``?workspace=…``, kept for old links):
    any kind of space that names its spaces by slug, found through the gate (404 otherwise)."""
    return find_by_slug(request.user, slug, exclude=(Group.KIND,)) if slug else None


def listing(request):
    form = GroupSearchForm(request.GET)
    form.is_valid()
    q = (form.cleaned_data.get("q") or "").strip() or None
    workspace = None
    if request.GET.get("workspace"):
        workspace = _parent_by_slug(request, request.GET["workspace"])
        groups = group_list(user=request.user, workspace=workspace, q=q)
    else:
        groups = group_list(user=request.user, q=q).filter(parent__isnull=True)
    page, query = paginate(request, groups, PER_PAGE)
    mine = []
    if request.user.is_authenticated and workspace is None:
        mine = list(group_list(user=request.user, mine=True).select_related("parent")[:MY_GROUPS_SHOWN])
    context = {
        "form": form,
        "page": page,
        "mine": mine,
        "workspace": workspace,
        "parent_url": space_url(workspace) if workspace else None,
        "query": query,
        "may_create": (
            can(request.user, "contribute", workspace) if workspace else can(request.user, "open_workspace")
        ),
    }
    return render(request, "groups/list.html", context)


@login_required
def create(request):
    slug = request.POST.get("workspace") or request.GET.get("workspace")
    workspace = _parent_by_slug(request, slug)
    try:
        check_may_create_group(request.user, workspace)  # the action asks the same
    except ActionError as error:
        return refuse(request, error.message, status=error.status)
    except PermissionDenied as error:
        return refuse(request, str(error) or _("You may not create a group here."))
    form = GroupForm(request.POST or None, parent=workspace, user=request.user)
    saved = _("Your group has been created.")
    done = submit(request, form, do_create_group, saved=saved, user=request.user, parent=workspace)
    if done is not None:
        return done
    context = {
        "form": form,
        "group": None,
        "workspace": workspace,
        "parent_url": space_url(workspace) if workspace else None,
    }
    return render(request, "groups/form.html", context, status=form_status(request))


def detail(request, pk, slug):
    group = group_by_id(user=request.user, pk=pk)
    if slug != group.slug:
        return redirect(group, permanent=True)
    parent = group.parent_space
    context = {
        "group": group,
        "workspace": parent,
        "parent_url": space_url(parent) if parent else None,
        **space_page_context(request, group),
    }
    return render(request, "groups/detail.html", context)


@login_required
def edit(request, pk, slug):
    group = group_by_id(user=request.user, pk=pk)
    if group.is_archived:
        messages.error(request, _("This group is archived: it can be read, not changed."))
        return redirect(group)
    if not can(request.user, "manage", group):
        raise PermissionDenied
    form = GroupForm(request.POST or None, instance=group, initial=GroupForm.initial_for(group))
    done = submit(
        request, form, do_update_group, saved=_("The group has been saved."), user=request.user, group=group
    )
    if done is not None:
        return done
    parent = group.parent_space
    context = {
        "form": form,
        "group": group,
        "workspace": parent,
        "parent_url": space_url(parent) if parent else None,
    }
    return render(request, "groups/form.html", context, status=form_status(request))
