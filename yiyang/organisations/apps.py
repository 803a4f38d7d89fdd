from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "yiyang.organisations"
    label = "organisations"
