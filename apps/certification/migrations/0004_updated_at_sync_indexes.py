# Incremental sync (issue 15): `updated_since` / `ordering=updated_at` / the cursor walk (updated_at, id).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0003_list_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['updated_at', 'id'], name='application_updated'),
        ),
        migrations.AddIndex(
            model_name='certificate',
            index=models.Index(fields=['updated_at', 'id'], name='certificate_updated'),
        ),
    ]
