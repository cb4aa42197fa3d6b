# Incremental sync (issue 15): `updated_since` / `ordering=updated_at` / the cursor walk (updated_at, id).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0003_list_order'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='enterprise',
            index=models.Index(fields=['updated_at', 'id'], name='enterprise_updated'),
        ),
    ]
