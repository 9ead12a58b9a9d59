"""Takes over the tables the appeals app made (appeals 0007 let go of them): state only, the
database is not touched."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from cityloop.kernel.migrating import hand_over_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('appeals', '0007_stage_records_move_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ExtensionRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('requested_at', models.DateTimeField()),
                        ('extra_working_days', models.PositiveSmallIntegerField(verbose_name='延长工作日')),
                        ('reason', models.TextField(verbose_name='延期理由')),
                        ('status', models.CharField(choices=[('pending', '待审批'), ('approved', '已同意'), ('rejected', '已驳回')], default='pending', max_length=10)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('decision_note', models.TextField(blank=True)),
                        ('old_due_at', models.DateTimeField(blank=True, null=True)),
                        ('new_due_at', models.DateTimeField(blank=True, null=True)),
                        ('appeal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='extension_requests', to='appeals.appeal')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit')),
                    ],
                    options={
                        'verbose_name': '延期申请',
                        'verbose_name_plural': '延期申请',
                        'db_table': 'appeals_extensionrequest',
                        'indexes': [models.Index(fields=['status', 'requested_at'], name='appeals_ext_status_bb0a57_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='SupervisionOrder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('issued_at', models.DateTimeField()),
                        ('is_automatic', models.BooleanField(default=False)),
                        ('requirement', models.TextField(verbose_name='督办要求')),
                        ('respond_by', models.DateTimeField(verbose_name='反馈时限')),
                        ('status', models.CharField(choices=[('open', '督办中'), ('answered', '已反馈'), ('closed', '已结束')], default='open', max_length=10)),
                        ('response', models.TextField(blank=True, verbose_name='反馈内容')),
                        ('responded_at', models.DateTimeField(blank=True, null=True)),
                        ('appeal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='supervision_orders', to='appeals.appeal')),
                        ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='supervision_orders', to='org.unit')),
                    ],
                    options={
                        'verbose_name': '督办单',
                        'verbose_name_plural': '督办单',
                        'db_table': 'appeals_supervisionorder',
                        'indexes': [models.Index(fields=['status', 'respond_by'], name='appeals_sup_status_7c6c51_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        hand_over_content_types("appeals", "oversight", "extensionrequest", "supervisionorder"),
    ]
