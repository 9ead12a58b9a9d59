"""The templates every installation starts with (a copy of notify.defaults as it was when
this migration was written: a migration does not change with the code)."""

from django.db import migrations

TEMPLATES = {'receipt': {'sms': ('', '【12345】您反映的诉求已受理，查询码 {tracking_code}，凭查询码和手机号后四位可查询进度：{track_url}'),
             'email': ('【12345】诉求已受理（查询码 {tracking_code}）',
                       '您好！\n'
                       '\n'
                       '您反映的诉求“{title}”已受理。\n'
                       '查询码：{tracking_code}\n'
                       '凭查询码和手机号后四位可随时查询办理进度：{track_url}\n'
                       '\n'
                       '12345 市民服务热线')},
 'dispatched': {'sms': ('',
                        '【12345】您的诉求（查询码 {tracking_code}）已转交{unit}办理，办结时限 '
                        '{deadline}。进度：{track_url}'),
                'email': ('【12345】诉求已派单（查询码 {tracking_code}）',
                          '您好！\n'
                          '\n'
                          '您的诉求“{title}”已转交{unit}办理，办结时限 {deadline}。\n'
                          '查询进度：{track_url}\n'
                          '\n'
                          '12345 市民服务热线')},
 'replied': {'sms': ('', '【12345】您的诉求（查询码 {tracking_code}）已由{unit}办结答复，请查看结果并评价：{track_url}'),
             'email': ('【12345】诉求已办结（查询码 {tracking_code}）',
                       '您好！\n'
                       '\n'
                       '您的诉求“{title}”已由{unit}办结。\n'
                       '办理结果：{reply}\n'
                       '\n'
                       '请查看并评价办理结果：{track_url}\n'
                       '\n'
                       '12345 市民服务热线')},
 'extended': {'sms': ('',
                      '【12345】您的诉求（查询码 {tracking_code}）经批准延期办理，新的办结时限 '
                      '{deadline}。进度：{track_url}'),
              'email': ('【12345】诉求延期办理（查询码 {tracking_code}）',
                        '您好！\n'
                        '\n'
                        '您的诉求“{title}”经批准延期办理，新的办结时限为 {deadline}。\n'
                        '查询进度：{track_url}\n'
                        '\n'
                        '12345 市民服务热线')},
 'reopened': {'sms': ('',
                      '【12345】您的诉求（查询码 {tracking_code}）已重新交{unit}办理，办结时限 '
                      '{deadline}。进度：{track_url}'),
              'email': ('【12345】诉求重新办理（查询码 {tracking_code}）',
                        '您好！\n'
                        '\n'
                        '您的诉求“{title}”已重新交{unit}办理，办结时限 {deadline}。\n'
                        '查询进度：{track_url}\n'
                        '\n'
                        '12345 市民服务热线')},
 'closed': {'sms': ('', '【12345】您的诉求（查询码 {tracking_code}）已办理完毕并关闭。感谢您的监督！'),
            'email': ('【12345】诉求已关闭（查询码 {tracking_code}）',
                      '您好！\n'
                      '\n'
                      '您的诉求“{title}”已办理完毕并关闭。感谢您的监督！\n'
                      '办理过程：{track_url}\n'
                      '\n'
                      '12345 市民服务热线')}}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for kind, channels in TEMPLATES.items():
        for channel, (subject, body) in channels.items():
            MessageTemplate.objects.get_or_create(
                kind=kind, channel=channel, defaults={"subject": subject, "body": body}
            )


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_outbox_templates_optouts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
