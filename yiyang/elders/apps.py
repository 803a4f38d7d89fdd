from django.apps import AppConfig


class EldersConfig(AppConfig):
    name = "yiyang.elders"
    label = "elders"
