from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "yiyang.demo"
    label = "demo"
