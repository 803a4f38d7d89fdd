from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiyang.core"
    label = "core"

    def ready(self) -> None:
        from yiyang.core import checks  # noqa: F401 - registers the keyring check
