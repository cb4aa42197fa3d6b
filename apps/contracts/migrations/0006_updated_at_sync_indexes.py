# Incremental sync (issue 15): `updated_since` / `ordering=updated_at` / the cursor walk (updated_at, id).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0005_renewal_of_unfiled'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='esignature',
            index=models.Index(fields=['record_id'], name='esignature_record'),
        ),
        migrations.AddIndex(
            model_name='labourcontract',
            index=models.Index(fields=['updated_at', 'id'], name='contract_updated'),
        ),
        migrations.AddIndex(
            model_name='labourcontract',
            index=models.Index(fields=['enterprise', 'updated_at', 'id'], name='contract_ent_updated'),
        ),
    ]
