from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yiyang.devices.choices import DeviceKind, DeviceProtocol, DeviceState


class BindingOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    elder = serializers.SerializerMethodField()
    home = serializers.SerializerMethodField()
    location = serializers.CharField()
    since = serializers.DateTimeField()
    until = serializers.DateTimeField(allow_null=True)

    def get_elder(self, obj: object) -> dict[str, str]:
        elder = obj.elder  # type: ignore[attr-defined]
        return {"id": str(elder.public_id), "name": elder.name}

    def get_home(self, obj: object) -> dict[str, str] | None:
        home = obj.home  # type: ignore[attr-defined]
        return None if home is None else {"id": str(home.public_id), "address": home.address}


class DeviceOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    protocol = serializers.CharField()
    identifier = serializers.CharField()
    vendor = serializers.CharField()
    model_name = serializers.CharField()
    state = serializers.CharField()
    note = serializers.CharField()
    online = serializers.BooleanField()
    last_seen_at = serializers.DateTimeField(allow_null=True)
    battery = serializers.IntegerField(allow_null=True)
    worn = serializers.BooleanField(allow_null=True)
    binding = serializers.SerializerMethodField()

    @extend_schema_field(BindingOutput(allow_null=True))
    def get_binding(self, obj: object) -> dict[str, object] | None:
        bindings = getattr(obj, "open_bindings", [])
        return dict(BindingOutput(bindings[0]).data) if bindings else None


class DeviceInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeviceKind.choices)
    protocol = serializers.ChoiceField(choices=DeviceProtocol.choices)
    identifier = serializers.CharField(max_length=64)
    vendor = serializers.CharField(max_length=64, required=False, allow_blank=True)
    model_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    street = serializers.UUIDField(required=False, allow_null=True)


class DeviceUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeviceKind.choices, required=False)
    vendor = serializers.CharField(max_length=64, required=False, allow_blank=True)
    model_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    state = serializers.ChoiceField(choices=DeviceState.choices, required=False)


class DeviceFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeviceKind.choices, required=False)
    online = serializers.BooleanField(required=False, allow_null=True, default=None)
    bound = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(required=False, allow_blank=True, max_length=64)


class BindInputSerializer(serializers.Serializer):
    elder = serializers.UUIDField()
    home = serializers.UUIDField(required=False, allow_null=True)
    location = serializers.CharField(max_length=64, required=False, allow_blank=True)


class PendingDeviceOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    protocol = serializers.CharField()
    identifier = serializers.CharField()
    vendor = serializers.CharField()
    kind_hint = serializers.CharField()
    first_seen_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()
    message_count = serializers.IntegerField()
    reading_count = serializers.IntegerField()
    state = serializers.CharField()
    reason = serializers.CharField()


class PendingRegisterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeviceKind.choices)
    street = serializers.UUIDField(required=False, allow_null=True)
    vendor = serializers.CharField(max_length=64, required=False, allow_blank=True)


class DeadLetterOutput(serializers.Serializer):
    id = serializers.IntegerField()
    adapter = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    payload = serializers.CharField()
    reason = serializers.CharField()
    received_at = serializers.DateTimeField()
