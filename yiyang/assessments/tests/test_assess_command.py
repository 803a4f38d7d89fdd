"""`yiyang assess`: one JSON object on stdout; bad input as a JSON error on stderr with exit status 2."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from yiyang.assessments.tests.scales.helpers import answers_for, gbt

REPO = Path(__file__).resolve().parents[3]


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _run(capsys, *args):
    call_command("assess", *args)
    out = capsys.readouterr().out
    return json.loads(out)


def _fail(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        call_command("assess", *args)
    captured = capsys.readouterr()
    assert exc.value.code == 2
    assert captured.out == ""
    return json.loads(captured.err)


def test_prints_the_result_as_one_json_object(tmp_path, capsys):
    answers = _write(tmp_path, "a.json", gbt(70, diagnoses=["F03"], risk=2))

    data = _run(capsys, "--scale", "gbt42195-2022", "--answers", answers)

    assert (data["scale"], data["total"], data["preliminary_level"], data["level"]) == ("gbt42195-2022", 70, 1, 3)
    assert data["level_name"] == "能力重度受损（重度失能）"
    assert data["rules_applied"] == ["mental_disorder", "risk_events"]
    assert {"group_totals", "explanation", "unverified", "verified"} <= set(data)


def test_output_is_indented_and_keeps_chinese_unescaped(tmp_path, capsys):
    answers = _write(tmp_path, "a.json", answers_for("barthel", 60))
    call_command("assess", "--scale", "barthel", "--answers", answers)
    out = capsys.readouterr().out
    assert out.startswith('{\n  "scale": "barthel"')
    assert "中度受损" in out and "\\u" not in out


def test_no_stack_turns_stacking_off(tmp_path, capsys):
    answers = _write(tmp_path, "a.json", gbt(70, diagnoses=["F03"], risk=2))
    data = _run(capsys, "--scale", "gbt42195-2022", "--answers", answers, "--no-stack")
    assert data["level"] == 2 and data["settings"] == {"stack_level_rules": False}


def test_reads_answers_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(answers_for("selfcare-phs", 9))))
    data = _run(capsys, "--scale", "selfcare-phs", "--answers", "-")
    assert (data["total"], data["level_name"]) == (9, "中度依赖")


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_policy_file_replaces_the_policy_data(tmp_path, capsys, suffix):
    import yaml

    policy = {"source": "本地口径", "verified": True, "combination": [[0, 1, 2, 3]] * 4}
    text = json.dumps(policy, ensure_ascii=False) if suffix == ".json" else yaml.safe_dump(policy, allow_unicode=True)
    policy_path = _write(tmp_path, f"policy{suffix}", text)
    answers = _write(tmp_path, "a.json", answers_for("ltc-2021", C1=20, C2=2))

    data = _run(capsys, "--scale", "ltc-2021", "--answers", answers, "--policy", policy_path)

    assert data["level"] == 3
    assert data["policy"] == {"source": "本地口径", "verified": True, "note": "", "replaced": ["combination"]}


def test_unknown_scale_is_a_json_error_with_status_2(tmp_path, capsys):
    answers = _write(tmp_path, "a.json", {})
    error = _fail(capsys, "--scale", "nope", "--answers", answers)
    assert error["errors"][0]["field"] == "scale" and error["errors"][0]["code"] == "unknown_scale"
    assert set(error) == {"error", "errors"}


def test_bad_answers_list_every_problem(tmp_path, capsys):
    answers = gbt(90)
    answers.update({"B.1.1": 9, "X": 1})
    del answers["B.4.5"]
    error = _fail(capsys, "--scale", "gbt42195-2022", "--answers", _write(tmp_path, "a.json", answers))
    assert [(e["field"], e["code"]) for e in error["errors"]] == [
        ("X", "unknown_item"),
        ("B.1.1", "invalid_score"),
        ("B.4.5", "missing_item"),
    ]
    assert all(set(e) == {"field", "reason", "code"} for e in error["errors"])


@pytest.mark.parametrize(
    ("content", "code"),
    [(None, "unreadable"), ("{not json", "invalid_json")],
)
def test_unreadable_or_malformed_answers_file(tmp_path, capsys, content, code):
    path = str(tmp_path / "missing.json") if content is None else _write(tmp_path, "a.json", content)
    error = _fail(capsys, "--scale", "barthel", "--answers", path)
    assert [(e["field"], e["code"]) for e in error["errors"]] == [("answers", code)]


def test_bad_policy_file(tmp_path, capsys):
    answers = _write(tmp_path, "a.json", answers_for("ltc-2021"))
    policy = _write(tmp_path, "p.json", {"verified": True, "combination": [[0]]})
    error = _fail(capsys, "--scale", "ltc-2021", "--answers", answers, "--policy", policy)
    assert [e["field"] for e in error["errors"]] == ["policy.source", "policy.combination", "policy.combination[0]"]


def test_no_stack_on_a_scale_without_the_setting_is_refused(tmp_path, capsys):
    answers = _write(tmp_path, "a.json", answers_for("barthel", 100))
    error = _fail(capsys, "--scale", "barthel", "--answers", answers, "--no-stack")
    assert [(e["field"], e["code"]) for e in error["errors"]] == [("settings.stack_level_rules", "unknown_setting")]


def _subprocess(*args, stdin=""):
    env = dict(os.environ, PYTHONIOENCODING="utf-8", DJANGO_SETTINGS_MODULE="config.django.test")
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "manage.py", "assess", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


def test_the_real_command_line(tmp_path):
    answers = json.dumps(gbt(90))
    good = _subprocess("--scale", "gbt42195-2022", "--answers", "-", stdin=answers)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["level_name"] == "能力完好"

    bad = _subprocess("--scale", "gbt42195-2022", "--answers", "-", stdin=json.dumps({"B.1.1": 9}))
    assert bad.returncode == 2
    assert bad.stdout == ""
    error = json.loads(bad.stderr)
    assert ("B.1.1", "invalid_score") in [(e["field"], e["code"]) for e in error["errors"]]
    assert ("B.1.2", "missing_item") in [(e["field"], e["code"]) for e in error["errors"]]
