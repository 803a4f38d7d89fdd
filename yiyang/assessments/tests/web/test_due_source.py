"""The due page says where its validity and reminder settings come from in the reader's language only:
the Chinese UI never shows the data file's English source text, the English UI never its Chinese."""

import pytest
from django.conf import settings
from django.utils import translation

from yiyang.assessments.tests.support import page_client

pytestmark = pytest.mark.django_db

CHINESE = "本地政策设置，未经核实；无国家标准出处"
ENGLISH = "local policy setting, unverified; no national standard gives it"


@pytest.fixture
def restore_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.parametrize(
    ("language", "shown", "hidden"), [("zh-hans", CHINESE, "local policy setting"), ("en", ENGLISH, "本地政策设置")]
)
def test_the_settings_source_is_in_the_reader_language(world, restore_language, language, shown, hidden):
    client = page_client(world.users["street0"])
    client.cookies["django_language"] = language
    html = client.get("/assessments/due/").content.decode()
    assert shown in html
    assert hidden not in html
