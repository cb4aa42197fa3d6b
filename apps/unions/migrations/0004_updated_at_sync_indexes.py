# Incremental sync (issue 15): `updated_since` / `ordering=updated_at` / the cursor walk (updated_at, id).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('unions', '0003_list_order'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='collectivecontract',
            index=models.Index(fields=['updated_at', 'id'], name='collective_contract_updated'),
        ),
        migrations.AddIndex(
            model_name='union',
            index=models.Index(fields=['updated_at', 'id'], name='union_updated'),
        ),
    ]
