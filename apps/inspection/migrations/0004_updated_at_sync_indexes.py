# Incremental sync (issue 15): `updated_since` / `ordering=updated_at` / the cursor walk (updated_at, id).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inspection', '0003_policy_interviews_patrols_reviews'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='creditgrade',
            index=models.Index(fields=['updated_at', 'id'], name='inspection_grade_updated'),
        ),
        migrations.AddIndex(
            model_name='inspectioncase',
            index=models.Index(fields=['updated_at', 'id'], name='inspection_case_updated'),
        ),
        migrations.AddIndex(
            model_name='interview',
            index=models.Index(fields=['updated_at', 'id'], name='inspection_interview_updated'),
        ),
        migrations.AddIndex(
            model_name='rectificationorder',
            index=models.Index(fields=['updated_at', 'id'], name='inspection_order_updated'),
        ),
        migrations.AddIndex(
            model_name='writtenreview',
            index=models.Index(fields=['updated_at', 'id'], name='inspection_review_updated'),
        ),
    ]
