"""Profile pages. Thin: forms validate, actions change, selectors read."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doeplein.activity.selectors import activity_feed

from . import actions
from .forms import ApiTokenForm, DeleteAccountForm, EntryFormSet, ProfileForm
from .selectors import profile_for, profile_view


def profile_detail(request, user_id):
    profile = profile_for(user_id=user_id)
    context = {
        "profile": profile_view(viewer=request.user, profile=profile),
        "activities": activity_feed(user=request.user, actor=profile.user)[:10],
    }
    return render(request, "accounts/profile_detail.html", context)


@login_required
def profile_me(request):
    actions.ensure_profile(request.user)
    return redirect("accounts:profile", user_id=request.user.pk)


@login_required
def profile_edit(request):
    profile = actions.ensure_profile(request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    entries = EntryFormSet(request.POST or None, instance=profile, prefix="entries")
    if request.method == "POST" and form.is_valid() and entries.is_valid():
        data, audience = form.split()
        kept = [
            {
                k: f.cleaned_data[k]
                for k in ("kind", "title", "organisation", "start_year", "end_year", "description")
            }
            for f in entries.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("title")
        ]
        actions.do_update_profile(
            user=request.user, profile=profile, data=data, audience=audience, entries=kept
        )
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile", user_id=request.user.pk)
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "accounts/profile_edit.html",
        {"form": form, "entries": entries},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def export_my_data(request):
    data = actions.export_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="doeplein-my-data-{stamp}.json"'
    return response


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        actions.do_delete_account(user=user)
        messages.success(request, _("Your account has been deleted."))
        return redirect("/")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/delete_account.html", {"form": form}, status=status)


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = actions.do_create_api_token(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    context = {"form": form, "secret": secret, "tokens": request.user.api_tokens.order_by("-created")}
    return render(request, "accounts/api_tokens.html", context)


@login_required
@require_POST
def revoke_api_token(request, token_id):
    if actions.do_revoke_api_token(user=request.user, token_id=token_id):
        messages.success(request, _("The token has been revoked."))
    return redirect("accounts:api-tokens")
