from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "yiyang.monitoring"
    label = "monitoring"
