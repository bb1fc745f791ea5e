from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .actions import do_mark_all_read
from .selectors import notification_list


@login_required
def notifications(request):
    page = Paginator(notification_list(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    do_mark_all_read(user=request.user)
    return redirect("notifications:list")
