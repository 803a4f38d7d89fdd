"""ErrorCollector.has answers for errors added and for errors extended into the list directly."""

from yiyang.core.errors import ErrorCollector, FieldError


def test_has_sees_added_and_extended_errors_by_field_and_row():
    errors = ErrorCollector()
    errors.add("community", "社区不能为空", row=3)
    assert errors.has("community", 3) is True
    assert errors.has("community", 4) is False
    assert errors.has("community") is False
    errors.errors.extend([FieldError("area", "bad")])
    assert errors.has("area") is True
    errors.add("community", "社区不能为空", row=4)
    assert errors.has("community", 4) is True


def test_drop_removes_a_fields_errors_since_a_mark_and_has_forgets_them():
    errors = ErrorCollector()
    errors.add("national_id", "校验位错误", row=1)
    mark = len(errors.errors)
    errors.add("national_id", "校验位错误", row=2)
    assert errors.has("national_id", 2) is True
    errors.drop("national_id", since=mark)
    assert [(e.field, e.row) for e in errors.errors] == [("national_id", 1)]
    assert errors.has("national_id", 2) is False
    assert errors.has("national_id", 1) is True
