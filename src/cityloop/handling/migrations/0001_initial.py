"""Takes over the tables the appeals app made (appeals 0007 let go of them): state only, the
database is not touched."""

import django.db.models.deletion
from django.db import migrations, models

from cityloop.kernel.migrating import hand_over_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('appeals', '0007_stage_records_move_out'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Attachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(upload_to='attachments/%Y/%m/', verbose_name='文件')),
                        ('name', models.CharField(max_length=200, verbose_name='文件名')),
                        ('content_type', models.CharField(max_length=100)),
                        ('size', models.PositiveIntegerField()),
                        ('uploaded_by', models.CharField(max_length=100, verbose_name='上传人')),
                        ('uploaded_at', models.DateTimeField()),
                        ('appeal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='appeals.appeal')),
                    ],
                    options={
                        'verbose_name': '附件',
                        'verbose_name_plural': '附件',
                        'db_table': 'appeals_attachment',
                        'ordering': ['uploaded_at', 'pk'],
                    },
                ),
            ],
            database_operations=[],
        ),
        hand_over_content_types("appeals", "handling", "attachment"),
    ]
