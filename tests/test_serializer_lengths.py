"""Every API input serializer's text field that writes a model field is bounded by that field.

A CharField writing a model CharField has `max_length` ≤ the model's (so an over-long value is a 400
naming the field, not a database error or a silent truncation); one writing a TextField has
`max_length` ≤ YIYANG_MAX_TEXT_CHARS. A new input serializer must be listed in WRITES (or in
WRITES_NO_MODEL), so that the rule keeps covering the API as it grows.
"""

import importlib
import inspect
import pkgutil

import pytest
from django.db import models
from rest_framework import serializers

import yiyang
from yiyang.core.limits import limit

# serializer class name → "app_label.Model" it writes (fields matched by source name)
WRITES = {
    "StaffInput": "accounts.User",
    "ContactInputSerializer": "elders.EmergencyContact",
    "FactChangeInputSerializer": "elders.ElderFactChange",
    "ElderInputSerializer": "elders.Elder",
    "OrganisationInputSerializer": "organisations.Organisation",
    "BedInputSerializer": "organisations.Bed",
    "AdmissionInputSerializer": "organisations.Admission",
    "DischargeInputSerializer": "organisations.Admission",
    "DeviceInputSerializer": "devices.Device",
    "DeviceUpdateSerializer": "devices.Device",
    "PendingRegisterSerializer": "devices.Device",
    "BindInputSerializer": "devices.DeviceBinding",
    "AssessmentCreateInput": "assessments.Assessment",
    "AssessmentUpdateInput": "assessments.Assessment",
    "BenefitApplicationInput": "benefits.Application",
    "PolicyFileInput": "benefits.PolicyFile",
    "BudgetInput": "benefits.Budget",
}
# Input serializers whose text is not stored in a model field of the same name (notes go to event
# rows, policies are documents), checked for a max_length on every CharField instead.
WRITES_NO_MODEL = {
    "StaffRoleInput", "StaffPermissionsInput", "NoteInput", "CloseInput", "HandoffInput", "DispatchInput",
    "PolicyInput", "ReturnInput", "CorrectInput", "ScoreInput", "PolicyVersionInput", "DistrictRulesInput",
    "ElderProfileInput", "BedStateInputSerializer", "AuditFilterInput", "TokenInput",
    "BenefitReviewInput", "BenefitDecisionInput", "EntitlementEndInput", "WhatIfInput", "PayrollComputeInput",
}  # fmt: skip
# Inputs normalised before they are stored, checked by the service for the stored length.
EXEMPT = {("ElderInputSerializer", "national_id"): "spaces and a lower-case x are normalised; the ID check wants 18"}


def _input_serializers() -> dict[str, type[serializers.Serializer]]:
    found: dict[str, type[serializers.Serializer]] = {}
    for module_info in pkgutil.walk_packages(yiyang.__path__, "yiyang."):
        if ".api." not in module_info.name + "." or ".tests" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, serializers.Serializer)
                and cls.__module__ == module.__name__
                and ("Input" in name or name.endswith(("UpdateSerializer", "RegisterSerializer")))
            ):
                found[name] = cls
    return found


INPUTS = _input_serializers()


def test_every_input_serializer_is_classified():
    unknown = sorted(set(INPUTS) - set(WRITES) - WRITES_NO_MODEL)
    assert not unknown, f"add these input serializers to WRITES or WRITES_NO_MODEL: {unknown}"


def _text_fields(serializer: serializers.Serializer):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer) and isinstance(field.child, serializers.Serializer):
            yield from ((f"{name}[].{n}", f, s) for n, f, s in _text_fields(field.child))
        elif isinstance(field, serializers.ListField) and isinstance(field.child, serializers.CharField):
            yield name, field.child, field.source
        elif isinstance(field, serializers.CharField):
            yield name, field, field.source


@pytest.mark.parametrize("name", sorted(WRITES))
def test_text_fields_are_bounded_by_the_model_field_they_write(name):
    from django.apps import apps

    model = apps.get_model(WRITES[name])
    problems = []
    for field_name, field, source in _text_fields(INPUTS[name]()):
        if (name, field_name) in EXEMPT:
            continue
        try:
            model_field = model._meta.get_field(source)
        except Exception:
            model_field = None
        if isinstance(model_field, models.CharField) and model_field.max_length:
            bound = model_field.max_length
        elif isinstance(model_field, models.TextField):
            bound = limit("YIYANG_MAX_TEXT_CHARS")
        else:  # not stored as such (a password is hashed): still never unbounded
            bound = 128 if field_name == "password" else limit("YIYANG_MAX_TEXT_CHARS")
        if field.max_length is None or field.max_length > bound:
            problems.append(f"{field_name}: max_length {field.max_length}, expected ≤ {bound}")
    assert not problems, problems


@pytest.mark.parametrize("name", sorted(WRITES_NO_MODEL & set(INPUTS)))
def test_text_fields_not_stored_as_such_are_still_bounded(name):
    problems = [
        f"{field_name}: no max_length"
        for field_name, field, _ in _text_fields(INPUTS[name]())
        if field.max_length is None or field.max_length > limit("YIYANG_MAX_TEXT_CHARS")
    ]
    assert not problems, problems
