from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_head_prev_hash"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(max_length=64),
        ),
    ]
