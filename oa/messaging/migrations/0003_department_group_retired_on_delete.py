import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0002_conversation_roster_version"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="conversation",
            name="department",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="chat_group",
                to="org.department",
                verbose_name="内设机构",
            ),
        ),
    ]
