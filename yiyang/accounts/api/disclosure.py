"""The viewer's disclosure policy inside a serializer, wherever the serializer is used."""

from collections.abc import Mapping
from typing import Any

from yiyang.accounts.disclosure import NOTHING, Disclosure, disclosure_for


def disclosure_in(context: Mapping[str, Any]) -> Disclosure:
    """The policy the view put in the context (`disclosure`), else the one of the request's user,
    else nothing in full: a serializer used without either masks everything."""
    disclosure = context.get("disclosure")
    if isinstance(disclosure, Disclosure):
        return disclosure
    user = getattr(context.get("request"), "user", None)
    return disclosure_for(user) if user is not None else NOTHING
