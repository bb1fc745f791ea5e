"""``{% membership_box space %}``: the visitor's membership of a space and the right button."""

from django import template

register = template.Library()


@register.inclusion_tag("spaces/_membership_box.html", takes_context=True)
def membership_box(context, space):
    from doeplein.spaces.views import membership_context

    return membership_context(context["request"], space)
