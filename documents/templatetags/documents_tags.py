from django import template

register = template.Library()


@register.filter
def get_colour(authors: dict, author_id) -> int:
    return authors.get(author_id, {}).get("colour", 0)


@register.filter
def get_name(authors: dict, author_id) -> str:
    return authors.get(author_id, {}).get("name", "")
