"""Language selection: Simplified Chinese unless the user chose another language in the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an officer whose browser
happens to be set to English would get an English UI without asking for it. Here only the language
cookie (set by the switch) counts.
"""

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        code = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
