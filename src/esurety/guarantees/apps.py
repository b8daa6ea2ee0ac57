from django.apps import AppConfig


class GuaranteesConfig(AppConfig):
    name = "esurety.guarantees"
    label = "guarantees"
    verbose_name = "保証"
