import re

from django import template

register = template.Library()

_CJK = re.compile(r"[\u3400-\u9fff]")


@register.filter
def user_message(value) -> str:
    """The message of a refusal when it was written for users (Chinese), else "".

    Error pages get whatever the exception said; ours are Chinese sentences meant to be shown, Django's own
    (e.g. "No Person matches the given query.") are for developers and would only confuse."""
    text = str(value or "")
    return text if _CJK.search(text) else ""
