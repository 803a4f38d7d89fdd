"""Forms that only turn posted text into typed values; every rule lives in the services."""

from django import forms


class BedForm(forms.Form):
    building = forms.CharField(required=False)
    room = forms.CharField(required=False)
    number = forms.CharField(required=False)
    note = forms.CharField(required=False)


class BedStateForm(forms.Form):
    state = forms.CharField(required=False)
    note = forms.CharField(required=False)


class AdmitForm(forms.Form):
    bed = forms.UUIDField(required=False)
    elder_national_id = forms.CharField(required=False)
    admitted_on = forms.DateField(required=False)
    note = forms.CharField(required=False)


class DischargeForm(forms.Form):
    reason = forms.CharField(required=False)
    discharged_on = forms.DateField(required=False)
