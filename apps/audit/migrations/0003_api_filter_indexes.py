# Indexes for the audit API's filters by action and by actor, newest first (issue 15).
#
# The audit table is the largest of the platform: on PostgreSQL the indexes are built CONCURRENTLY,
# so writes (every service records an event) are not blocked while they build; hence atomic = False.
# Other databases (SQLite for `make run`) build them the ordinary way.

from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)
        return None

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
        return None


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0002_append_only_trigger"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="auditevent",
            index=models.Index(fields=["action", "occurred_at"], name="audit_action_occurred_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="auditevent",
            index=models.Index(fields=["actor_label", "occurred_at"], name="audit_actor_occurred_idx"),
        ),
    ]
