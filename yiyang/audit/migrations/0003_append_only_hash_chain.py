"""Append-only, hash-chained audit events: sequence, prev_hash and hash on every event (existing
events chained in id order), the one-row chain head, request method/status and purge checkpoint
columns, and database triggers refusing UPDATE and DELETE (see yiyang.audit.triggers)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

ACTIONS = [
    ("view", "查看"),
    ("create", "新增"),
    ("change", "修改"),
    ("delete", "删除"),
    ("export", "导出"),
    ("import", "导入"),
    ("deny", "拒绝访问"),
    ("login", "登录"),
    ("login_failed", "登录失败"),
    ("logout", "退出登录"),
    ("lockout", "账号锁定"),
    ("unlock", "解除锁定"),
    ("mfa_failed", "二次验证失败"),
    ("mfa_reset", "重置二次验证"),
    ("password_change", "修改密码"),
    ("purge", "清理过期日志"),
]


def chain_existing(apps, schema_editor):
    from yiyang.audit.chain import HASHED_FIELDS, event_hash

    event_model = apps.get_model("audit", "AuditEvent")
    head_model = apps.get_model("audit", "AuditChainHead")
    db = schema_editor.connection.alias
    prev, sequence = "", 0
    for pk in event_model.objects.using(db).order_by("id").values_list("id", flat=True).iterator(chunk_size=2000):
        event = event_model.objects.using(db).get(pk=pk)
        sequence += 1
        event.sequence = sequence
        event.prev_hash = prev
        event.hash = prev = event_hash(prev, [getattr(event, name) for name in HASHED_FIELDS])
        event.save(update_fields=["sequence", "prev_hash", "hash"])
    head_model.objects.using(db).update_or_create(pk=1, defaults={"sequence": sequence, "hash": prev})


def install_triggers(apps, schema_editor):
    from yiyang.audit import triggers

    triggers.install(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    from yiyang.audit import triggers

    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("audit", "0002_list_view_record_ids"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(blank=True, max_length=64)),
                ("purging", models.BooleanField(default=False)),
            ],
            options={"verbose_name": "审计链头", "verbose_name_plural": "审计链头"},
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64, verbose_name="前一哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="method",
            field=models.CharField(blank=True, default="", max_length=8, verbose_name="请求方法"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="status_code",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="响应状态"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="checkpoint_hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="清理检查点"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="时间"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(choices=ACTIONS, max_length=16, verbose_name="操作"),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="序号"),
        ),
        migrations.RunPython(install_triggers, remove_triggers, elidable=False),
    ]
