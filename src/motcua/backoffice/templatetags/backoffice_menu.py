"""``{% backoffice_menu as items %}``: the menu entries of the logged-in user (``backoffice.menu``)."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.backoffice.menu import MenuItem, menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def backoffice_menu(context: template.Context) -> list[MenuItem]:
    request: Any = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    if user is None:
        return []
    return menu_for(user)
