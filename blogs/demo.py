"""Demo blog posts (Dutch and English) with comments, replies and revisions in every demo space, and a
post on a demo person's own blog. Idempotent: a space that already has posts is left alone.
Runs after the workspaces and groups (order 40); it reads spaces and memberships from the core only."""

from django.db import transaction

POSTS = [
    (
        "Wat we leerden van de pilot",
        "Drie maanden experimenteren, vijf lessen.",
        "<p>We begonnen klein: één wijk, tien deelnemers en een wekelijks overleg.</p>"
        "<h2>Wat werkte</h2><ul><li>Korte lijnen met de gemeente</li><li>Elke week iets laten zien</li></ul>"
        "<p>Wat niet werkte: te veel formulieren. Volgende keer beginnen we met het gesprek.</p>",
        ["pilot", "lessen"],
    ),
    (
        "Weekoverzicht: wat er speelde",
        "De belangrijkste gesprekken van deze week op een rij.",
        "<p>Deze week spraken we over de nieuwe subsidieregeling en over het delen van data tussen gemeenten.</p>"
        "<blockquote>Begin bij de vraag van de inwoner, niet bij het systeem.</blockquote>",
        ["weekoverzicht"],
    ),
    (
        "What a citizen initiative taught us",
        "Notes from a year of working with residents.",
        "<p>Residents knew the neighbourhood far better than our maps did.</p>"
        "<h2>Three things we changed</h2><ol><li>We meet on site</li><li>We publish our notes</li>"
        "<li>We budget for small experiments</li></ol>",
        ["citizens", "participation"],
    ),
]
COMMENTS = [
    ("Herkenbaar! Bij ons ging het precies zo.", "Dank je, goed om te horen."),
    ("Could you share the template you used?", "Sure, it is in the files of this workspace."),
]
STEPS = 1


def blogs_demo_data(progress):
    from doeplein.spaces.models import Membership, Role, Space
    from doeplein.spaces.selectors import contributors

    from .actions import do_add_comment, do_create_post, do_publish_post, do_update_post
    from .models import PROFILE_KIND, Post

    for space in Space.objects.exclude(kind=PROFILE_KIND).filter(is_archived=False).order_by("pk"):
        if Post.objects.filter(space=space).exists():
            continue
        # Only people the gate lets write here (a child space's members may lack the parent's wall).
        people = contributors(space, 3)
        if not people:
            continue
        with transaction.atomic():
            for n, (title, summary, body, tags) in enumerate(POSTS[: 2 if len(people) > 1 else 1]):
                author = people[n % len(people)]
                post = do_create_post(
                    user=author, space=space, title=title, summary=summary, body=body, tags=tags
                )
                # A second revision, so that the history has something to compare.
                do_update_post(user=author, post=post, summary=summary + " Bijgewerkt.")
                post = do_publish_post(user=people[0], post=post)
                if len(people) > 1:
                    question, answer = COMMENTS[n % len(COMMENTS)]
                    commenter = people[(n + 1) % len(people)]
                    first = do_add_comment(user=commenter, post=post, body=question)
                    do_add_comment(user=author, post=post, body=answer, parent=first)
    # A post on a person's own blog.
    owner = (
        Membership.objects.filter(role=Role.OWNER)
        .exclude(space__kind=PROFILE_KIND)
        .select_related("user")
        .first()
    )
    if owner is not None and not Post.objects.filter(author=owner.user, space__kind=PROFILE_KIND).exists():
        title, summary, body, tags = POSTS[2]
        with transaction.atomic():
            post = do_create_post(
                user=owner.user, space=None, title=title, summary=summary, body=body, tags=tags
            )
            do_publish_post(user=owner.user, post=post)
    progress(1)
