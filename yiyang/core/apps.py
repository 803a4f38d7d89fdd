from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules

WORKSPACE_MODULES = ("web.home_cards", "web.profile_sections")


class CoreConfig(AppConfig):
    name = "yiyang.core"
    label = "core"

    def ready(self) -> None:
        from yiyang.core import checks  # noqa: F401 - registers the keyring check

        # Each domain's home cards and profile sections (yiyang.core.workspace) register on import.
        autodiscover_modules(*WORKSPACE_MODULES)
