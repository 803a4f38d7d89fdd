from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "yiyang.areas"
    label = "areas"
