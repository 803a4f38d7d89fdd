from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "yiyang.alerts"
    label = "alerts"
