"""`{% load people %}`: how the people who acted are shown in pages.

- `{{ user|person }}`: "张丽（证书编号 350203-2024-017） · 海天社区养老服务站" (`selectors.person_label`).
- `{{ user|person_name }}`: the full name, else the username (compact columns).
- `{{ record.assessor_snapshot|signed:record.assessor }}`: the person as stored when they signed,
  else as they are now (records that were signed before snapshots were kept).
Each is "" for nobody, so `|default:"—"` shows a dash.
"""

from collections.abc import Mapping
from typing import Any

from django import template

from yiyang.accounts.selectors import person_label, person_name, signed_label

register = template.Library()


@register.filter(name="person")
def person(user: Any) -> str:
    return person_label(user)


@register.filter(name="person_name")
def person_name_filter(user: Any) -> str:
    return person_name(user)


@register.filter(name="signed")
def signed(snapshot: Any, user: Any = None) -> str:
    return signed_label(snapshot if isinstance(snapshot, Mapping) else None, user)
