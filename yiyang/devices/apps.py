from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "yiyang.devices"
    label = "devices"
