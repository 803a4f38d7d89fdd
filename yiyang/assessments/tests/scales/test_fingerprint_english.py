"""The English texts beside the Chinese in a scale file are reading aids: they are not part of the
data fingerprint a result records, so adding or correcting a translation changes no fingerprint."""

import hashlib
from typing import Any

import pytest
import yaml

from yiyang.assessments import scoring
from yiyang.assessments.scales import loading


def _without_english(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_english(v) for k, v in value.items() if not str(k).endswith("_en")}
    if isinstance(value, list):
        return [_without_english(v) for v in value]
    return value


@pytest.mark.parametrize("code", scoring.SCALE_CODES)
def test_the_fingerprint_leaves_out_exactly_the_english_fields(code: str) -> None:
    content = (loading.DATA_DIR / f"{code}.yaml").read_bytes()
    stripped = scoring._ENGLISH_LINE.sub(b"", scoring._ENGLISH_INLINE.sub(b"", content))
    assert b"_en:" not in stripped
    assert yaml.safe_load(stripped) == _without_english(yaml.safe_load(content))
    assert scoring.scale_fingerprint(code).endswith(":" + hashlib.sha256(stripped).hexdigest()[:16])
