"""Membership pages for every kind of space (workspaces, groups, whatever plugins bring).

Thin: forms validate, the actions in ``actions.py`` decide and change, selectors read, the gate loads
the space (404 where a secret space must stay secret, 403 otherwise). A refusal (:class:`ActionError`)
is shown as a clear message with its 4xx status, never a 500.

Other pages show the visitor's membership with ``{% load doeplein_spaces %}{% membership_box space %}``,
or by including ``access/_membership_box.html`` with the dict :func:`membership_context` returns.
"""

import csv

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from doeplein.access import audience_allows, can, get_object_or_404
from doeplein.activity.selectors import activity_feed
from doeplein.core.exceptions import ActionError
from doeplein.plugins import space_sections

from . import actions
from .eligibility import membership_options
from .forms import (
    ArchiveForm,
    DecideForm,
    InviteForm,
    JoinRequestForm,
    MemberFilterForm,
    RoleForm,
    role_labeller,
    space_roles,
)
from .kinds import is_personal, space_url
from .models import Invitation, JoinRequest, Role, Space
from .selectors import member_list, open_invitations, pending_requests

PER_PAGE = 50


# --- Shared by every kind of space's pages ---------------------------------------------------------------
FEED_LENGTH = 20


def refuse(request, message, status=403):
    """A refusal with a clear message, on the site's error page."""
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def submit(request, form, action, *, saved, **arguments):
    """A space's edit or create page, on a POST of a valid form: ``action(**arguments, **form.action_fields())``,
    then the message ``saved`` and a redirect to what the action returned. ``None`` when the page is to be
    shown (again): a GET, an invalid form, or an :class:`ActionError`, which the form now shows."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(**arguments, **form.action_fields())
    except ActionError as error:
        form.add_error(None, error.message)
        return None
    messages.success(request, saved)
    return redirect(result)


def paginate(request, items, per_page) -> tuple:
    """``(page, query)``: the page of ``items`` that ``?page=`` asks for, and the query string without
    ``page`` (for the links to the other pages)."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def form_status(request) -> int:
    """A form shown again after a POST failed: 400; shown for the first time: 200."""
    return 400 if request.method == "POST" else 200


def rendered_sections(request, space):
    """The blocks plugins add to a space's home page; a section that returns nothing is left out."""
    sections = []
    for section in space_sections(space):
        html = section.render(request, space)
        if html:
            anchor = "section-" + slugify(section.key.replace(".", "-"))
            sections.append({"key": section.key, "anchor": anchor, "label": section.label, "html": html})
    return sections


def space_page_context(request, space):
    """What every space home page (``spaces/space_detail.html``) shows besides its own header:
    membership, sections, activity."""
    context = dict(membership_context(request, space))
    # Members-only spaces show their card to everyone logged in (to ask to join), their content
    # only to those who may view it.
    can_view = can(request.user, "view", space)
    context.update(
        space=space,
        can_view=can_view,
        sections=rendered_sections(request, space) if can_view else [],
        activities=activity_feed(user=request.user, space=space)[:FEED_LENGTH] if can_view else [],
        can_manage=can(request.user, "manage", space),
        can_moderate=can(request.user, "moderate", space),
    )
    return context


# --- Helpers ------------------------------------------------------------------------------------------
def _space(request, space_id, action="view"):
    return get_object_or_404(request.user, Space.objects.select_related("parent"), action, pk=space_id)


def space_page(space):
    """The page of the space's own kind (a workspace's, a group's), or None for a bare space."""
    return space_url(space)


def _members_url(space):
    return reverse("spaces:members", kwargs={"space_id": space.pk})


def _home(space):
    return space_page(space) or _members_url(space)


def _refuse(request, space, error):
    """A refused membership action: a message on the space's page, or a page with the 4xx status."""
    page = space_page(space)
    if page:
        messages.error(request, error.message)
        return redirect(page)
    context = {"space": space, "message": error.message, "back_url": _members_url(space)}
    return render(request, "spaces/refused.html", context, status=error.status)


def _form_error(form):
    return ActionError(
        " ".join(str(e) for errors in form.errors.values() for e in errors), code="invalid", status=400
    )


def _organisation(viewer, user):
    """The member's organisation if their profile shows it to ``viewer``; the member list obeys it too."""
    profile = getattr(user, "profile", None)
    if profile is None or not audience_allows(viewer, user, profile.audience_for("organisation")):
        return ""
    return profile.organisation


def _member_or_404(user_id):
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise Http404
    return user


def _login_links(request, next_url):
    query = urlencode({"next": next_url})
    return f"{reverse('account_login')}?{query}", f"{reverse('account_signup')}?{query}"


# --- The membership box ---------------------------------------------------------------------------------
def membership_context(request, space):
    """Everything ``access/_membership_box.html`` needs: the visitor's state in ``space`` and what they may do.

    Keys: ``space``, ``membership``, ``role_label``, ``pending_request``, ``can_join``, ``can_request``,
    ``request_form``, ``invitation_only``, ``can_leave``, ``leave_note``, ``is_member``, ``is_manager``,
    ``is_owner``, ``is_archived``, ``is_anonymous``, ``pending_count``, ``login_url``, ``signup_url`` and the
    URLs of the membership pages. A constant number of queries, whoever asks.
    """
    user = request.user
    authenticated = user.is_authenticated
    # Every verdict comes from the eligibility rules the actions themselves call.
    options = membership_options(user, space)
    membership, pending = options.membership, options.pending_request
    is_manager = authenticated and can(user, "moderate", space)
    can_leave = options.leave.allowed
    leave_note = options.leave.reason if membership is not None and not can_leave else ""
    login_url, signup_url = _login_links(request, request.get_full_path())
    kwargs = {"space_id": space.pk}
    return {
        "space": space,
        "membership": membership,
        "role_label": role_labeller(space)(membership.role) if membership else "",
        "pending_request": pending,
        "options": options,
        "can_join": options.join.allowed,
        "can_request": options.request.allowed,
        "request_form": JoinRequestForm(auto_id=f"id_%s_join_{space.pk}"),
        "invitation_only": options.invitation_only,
        "can_leave": can_leave,
        "leave_note": leave_note,
        "is_member": membership is not None,
        "is_manager": is_manager,
        "is_owner": authenticated and can(user, "manage", space),
        "is_archived": space.is_archived,
        "is_anonymous": not authenticated,
        "pending_count": pending_requests(user=user, space=space).count() if is_manager else 0,
        "login_url": login_url,
        "signup_url": signup_url,
        "members_url": reverse("spaces:members", kwargs=kwargs),
        "requests_url": reverse("spaces:requests", kwargs=kwargs),
        "invitations_url": reverse("spaces:invitations", kwargs=kwargs),
        "join_url": reverse("spaces:join", kwargs=kwargs),
        "request_url": reverse("spaces:request", kwargs=kwargs),
        "withdraw_url": reverse("spaces:withdraw", kwargs=kwargs),
        "leave_url": reverse("spaces:leave", kwargs=kwargs),
    }


# --- Joining and leaving ----------------------------------------------------------------------------------
@require_POST
def join(request, space_id):
    space = _space(request, space_id, "discover")
    if not request.user.is_authenticated:
        return redirect_to_login(_home(space))
    try:
        actions.do_join(user=request.user, space=space)
    except ActionError as error:
        return _refuse(request, space, error)
    messages.success(request, _("Welcome: you are now a member of %(space)s.") % {"space": space.name})
    if space.welcome_message:
        messages.info(request, space.welcome_message)
    return redirect(_home(space))


@require_POST
def request_to_join(request, space_id):
    space = _space(request, space_id, "discover")
    if not request.user.is_authenticated:
        return redirect_to_login(_home(space))
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        return _refuse(request, space, _form_error(form))
    try:
        actions.do_request_to_join(user=request.user, space=space, message=form.cleaned_data["message"])
    except ActionError as error:
        return _refuse(request, space, error)
    messages.success(request, _("Your request to join has been sent; the managers will answer."))
    return redirect(_home(space))


@require_POST
def withdraw(request, space_id):
    space = _space(request, space_id, "discover")
    if not request.user.is_authenticated:
        return redirect_to_login(_home(space))
    if not actions.do_withdraw_request(user=request.user, space=space):
        error = ActionError(_("You have no pending request to withdraw."), code="no_request", status=409)
        return _refuse(request, space, error)
    messages.success(request, _("Your request to join has been withdrawn."))
    return redirect(_home(space))


@require_POST
def leave(request, space_id):
    space = _space(request, space_id)
    if not request.user.is_authenticated:
        return redirect_to_login(_home(space))
    try:
        actions.do_leave(user=request.user, space=space)
    except ActionError as error:
        return _refuse(request, space, error)
    messages.success(request, _("You have left %(space)s.") % {"space": space.name})
    # A members-only space is closed to someone who left it.
    return redirect(_home(space) if can(request.user, "view", space) else "/")


# --- Members ------------------------------------------------------------------------------------------------
def members(request, space_id):
    return _render_members(request, _space(request, space_id))


def _render_members(request, space, *, error=None, status=200):
    viewer = request.user
    form = MemberFilterForm(request.GET or None, space=space)
    q = role = None
    if form.is_bound:
        if form.is_valid():
            q, role = form.cleaned_data["q"], form.cleaned_data["role"]
        elif status == 200:
            status = 400
    page = Paginator(member_list(user=viewer, space=space, q=q, role=role), PER_PAGE).get_page(
        request.GET.get("page")
    )
    is_manager = viewer.is_authenticated and can(viewer, "moderate", space)
    is_owner = viewer.is_authenticated and can(viewer, "manage", space)
    label = role_labeller(space)
    rows = []
    for membership in page:
        user = membership.user
        is_self = user.pk == viewer.pk
        rows.append(
            {
                "membership": membership,
                "user": user,
                "organisation": _organisation(viewer, user),
                "role_label": label(membership.role),
                "is_self": is_self,
                "can_change_role": is_owner and not space.is_archived,
                # Community managers remove members and guests; owners anyone (the action keeps the last owner).
                "can_remove": is_manager
                and not is_self
                and (is_owner or membership.role < Role.COMMUNITY_MANAGER),
                "can_transfer": is_owner
                and not space.is_archived
                and not is_self
                and membership.role < Role.OWNER,
            }
        )
    context = {
        "space": space,
        "space_page": space_page(space),
        "form": form,
        "page": page,
        "rows": rows,
        "filtered": bool(q or role),
        "is_manager": is_manager,
        "is_owner": is_owner,
        "role_choices": space_roles(space) if is_owner else [],
        "error": error,
    }
    return render(request, "spaces/members.html", context, status=status)


def _csv_cell(value):
    """Neutralise spreadsheet formulas (CSV injection): a cell must not start with = + - @ or a control character."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def members_csv(request, space_id):
    space = _space(request, space_id, "moderate")
    label = role_labeller(space)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="members-{space.pk}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("E-mail address"), _("Organisation"), _("Role"), _("Joined")])
    for membership in member_list(user=request.user, space=space).iterator(chunk_size=2000):
        user = membership.user
        writer.writerow(
            [
                _csv_cell(cell)
                for cell in (
                    user.display_name,
                    user.email,
                    _organisation(request.user, user),
                    label(membership.role),
                    timezone.localtime(membership.created_at).date().isoformat(),
                )
            ]
        )
    return response


@require_POST
def change_role(request, space_id, user_id):
    space = _space(request, space_id, "manage")
    member = _member_or_404(user_id)
    form = RoleForm(request.POST, space=space)
    if not form.is_valid():
        return _render_members(request, space, error=_form_error(form).message, status=400)
    try:
        membership = actions.do_change_role(
            actor=request.user, space=space, user=member, role=form.cleaned_data["role"]
        )
    except ActionError as error:
        return _render_members(request, space, error=error.message, status=error.status)
    messages.success(
        request,
        _("%(name)s is now %(role)s.")
        % {"name": member.display_name, "role": role_labeller(space)(membership.role)},
    )
    return redirect(_members_url(space))


@require_POST
def remove(request, space_id, user_id):
    space = _space(request, space_id, "moderate")
    member = _member_or_404(user_id)
    try:
        actions.do_remove_member(actor=request.user, space=space, user=member)
    except ActionError as error:
        return _render_members(request, space, error=error.message, status=error.status)
    messages.success(request, _("%(name)s is no longer a member.") % {"name": member.display_name})
    return redirect(_members_url(space))


@require_POST
def transfer(request, space_id, user_id):
    space = _space(request, space_id, "manage")
    member = _member_or_404(user_id)
    try:
        actions.do_transfer_ownership(actor=request.user, space=space, user=member)
    except ActionError as error:
        return _render_members(request, space, error=error.message, status=error.status)
    messages.success(request, _("%(name)s is now an owner.") % {"name": member.display_name})
    return redirect(_members_url(space))


@require_POST
def archive(request, space_id):
    space = _space(request, space_id, "manage")
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        return _render_members(request, space, error=_form_error(form).message, status=400)
    archived = form.cleaned_data["archived"]
    actions.do_set_archived(actor=request.user, space=space, archived=archived)
    if archived:
        messages.success(
            request, _("%(space)s is archived: it can be read, not changed.") % {"space": space.name}
        )
    else:
        messages.success(request, _("%(space)s is restored.") % {"space": space.name})
    return redirect(_home(space))


# --- Requests to join ------------------------------------------------------------------------------------------
@login_required
def join_requests(request, space_id):
    return _render_requests(request, _space(request, space_id, "moderate"))


def _render_requests(request, space, *, error=None, status=200):
    page = Paginator(pending_requests(user=request.user, space=space), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"space": space, "space_page": space_page(space), "page": page, "error": error}
    return render(request, "spaces/requests.html", context, status=status)


@require_POST
def decide(request, space_id, request_id):
    space = _space(request, space_id, "moderate")
    join_request = JoinRequest.objects.select_related("user").filter(pk=request_id, space=space).first()
    if join_request is None:
        raise Http404
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _render_requests(request, space, error=_form_error(form).message, status=400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        actions.do_decide_request(
            actor=request.user,
            request_id=join_request.pk,
            approve=approve,
            message=form.cleaned_data["message"],
        )
    except ActionError as error:
        return _render_requests(request, space, error=error.message, status=error.status)
    name = join_request.user.display_name
    if approve:
        messages.success(request, _("%(name)s is now a member.") % {"name": name})
    else:
        messages.success(request, _("The request of %(name)s has been rejected.") % {"name": name})
    return redirect("spaces:requests", space_id=space.pk)


# --- Invitations -------------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def invitations(request, space_id):
    space = _space(request, space_id, "moderate")
    form = InviteForm(request.POST or None, space=space, by_owner=can(request.user, "manage", space))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            email = form.cleaned_data["email"]
            try:
                actions.do_invite(
                    actor=request.user, space=space, email=email, role=form.cleaned_data["role"]
                )
            except ActionError as error:
                about_address = error.code in ("already_member", "duplicate_invitation")
                form.add_error("email" if about_address else None, error.message)
                status = error.status
            else:
                messages.success(request, _("An invitation has been sent to %(email)s.") % {"email": email})
                return redirect("spaces:invitations", space_id=space.pk)
        else:
            status = 400
    return _render_invitations(request, space, form=form, status=status)


def _render_invitations(request, space, *, form=None, error=None, status=200):
    label = role_labeller(space)
    page = Paginator(open_invitations(user=request.user, space=space), PER_PAGE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [
        {
            "invitation": invitation,
            "role_label": label(invitation.role),
            "expired": invitation.expires_at <= now,
        }
        for invitation in page
    ]
    context = {
        "space": space,
        "space_page": space_page(space),
        "form": form or InviteForm(space=space, by_owner=can(request.user, "manage", space)),
        # One person's own space takes no other members: no invitation form to fill in for nothing.
        "personal": is_personal(space),
        "page": page,
        "rows": rows,
        "error": error,
    }
    return render(request, "spaces/invitations.html", context, status=status)


def _invitation_in(space, invitation_id):
    invitation = Invitation.objects.filter(pk=invitation_id, space=space).first()
    if invitation is None:
        raise Http404
    return invitation


@require_POST
def resend(request, space_id, invitation_id):
    space = _space(request, space_id, "moderate")
    invitation = _invitation_in(space, invitation_id)
    try:
        actions.do_resend_invitation(actor=request.user, invitation_id=invitation.pk)
    except ActionError as error:
        return _render_invitations(request, space, error=error.message, status=error.status)
    messages.success(
        request, _("The invitation to %(email)s has been sent again.") % {"email": invitation.email}
    )
    return redirect("spaces:invitations", space_id=space.pk)


@require_POST
def revoke(request, space_id, invitation_id):
    space = _space(request, space_id, "moderate")
    invitation = _invitation_in(space, invitation_id)
    try:
        actions.do_revoke_invitation(actor=request.user, invitation_id=invitation.pk)
    except ActionError as error:
        return _render_invitations(request, space, error=error.message, status=error.status)
    messages.success(
        request, _("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email}
    )
    return redirect("spaces:invitations", space_id=space.pk)


# --- The invitation link ------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """Where an invitation link lands: see the space, accept (after logging in or registering)."""
    try:
        invite = actions.invitation_for_token(token)
    except ActionError as error:
        return _invitation_page(request, None, error=error)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            actions.do_accept_invitation(user=request.user, token=token)
        except ActionError as error:
            return _invitation_page(request, invite, error=error)
        space = invite.space
        messages.success(request, _("Welcome: you are now a member of %(space)s.") % {"space": space.name})
        if space.welcome_message:
            messages.info(request, space.welcome_message)
        return redirect(_home(space))
    return _invitation_page(request, invite)


def _invitation_page(request, invite, *, error=None):
    user = request.user
    login_url, signup_url = _login_links(request, request.path)
    context = {
        "invitation": invite,
        "space": invite.space if invite else None,
        "role_label": role_labeller(invite.space)(invite.role) if invite else "",
        "error": error.message if error else None,
        "for_other_account": bool(
            invite and user.is_authenticated and invite.user_id and invite.user_id != user.pk
        ),
        "login_url": login_url,
        "signup_url": signup_url,
    }
    response = render(request, "spaces/invitation.html", context, status=error.status if error else 200)
    # The token is in the address: keep it out of Referer headers and shared caches.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
