"""Workspace pages: the directory, opening, the home page and editing. Thin: forms validate,
actions (actions.py) change state, selectors (selectors.py) read through the access gate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from doeplein.access import can
from doeplein.spaces.views import form_status, paginate, refuse, space_page_context, submit

from .actions import do_open_workspace, do_update_workspace
from .forms import DirectoryForm, WelcomeForm, WorkspaceForm
from .selectors import theme_counts, workspace_by_slug, workspace_list

PER_PAGE = 24


def directory(request):
    form = DirectoryForm(request.GET)
    filters = form.filters()
    workspaces = workspace_list(user=request.user, **filters)
    page, query = paginate(request, workspaces, PER_PAGE)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "themes": theme_counts(user=request.user),
        "query": query,
        "may_open": can(request.user, "open_workspace"),
    }
    return render(request, "workspaces/directory.html", context)


@login_required
def create(request):
    if not can(request.user, "open_workspace"):
        return refuse(request, _("Only civil servants can open workspaces."))
    form = WorkspaceForm(request.POST or None, request.FILES or None, user=request.user)
    done = submit(
        request, form, do_open_workspace, saved=_("Your workspace has been opened."), user=request.user
    )
    if done is not None:
        return done
    return render(
        request, "workspaces/form.html", {"form": form, "workspace": None}, status=form_status(request)
    )


def detail(request, slug):
    workspace = workspace_by_slug(user=request.user, slug=slug)
    context = {"workspace": workspace, "space": workspace, **space_page_context(request, workspace)}
    return render(request, "workspaces/detail.html", context)


@login_required
def edit(request, slug):
    workspace = workspace_by_slug(user=request.user, slug=slug)
    if workspace.is_archived:
        messages.error(request, _("This workspace is archived: it can be read, not changed."))
        return redirect(workspace)
    owner = can(request.user, "manage", workspace)
    if not owner and not can(request.user, "moderate", workspace):
        raise PermissionDenied
    if owner:
        form = WorkspaceForm(
            request.POST or None,
            request.FILES or None,
            instance=workspace,
            initial=WorkspaceForm.initial_for(workspace),
        )
    else:
        form = WelcomeForm(request.POST or None, initial=WorkspaceForm.initial_for(workspace))
    saved = _("The workspace has been saved.")
    done = submit(request, form, do_update_workspace, saved=saved, user=request.user, workspace=workspace)
    if done is not None:
        return done
    context = {"form": form, "workspace": workspace, "owner": owner}
    return render(request, "workspaces/form.html", context, status=form_status(request))
