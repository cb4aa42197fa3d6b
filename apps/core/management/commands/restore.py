"""`manage.py restore <backup dir>`: restore a backup made by `manage.py backup` into the default
database (or --database-url) and MEDIA_ROOT (or --media-root). Existing tables are dropped and
recreated from the dump; checks every file's SHA-256 against the manifest first."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core import backups


class Command(BaseCommand):
    help = "Restore a backup (database and media) made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="a backup directory (BACKUP_DIR/<time>)")
        parser.add_argument("--database-url", default=None, help="default: the default database")
        parser.add_argument("--media-root", type=Path, default=None, help="default: MEDIA_ROOT")
        parser.add_argument("--no-media", action="store_true", help="restore the database only")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, **options):
        url = options["database_url"] or backups.database_url()
        media_root = None if options["no_media"] else (options["media_root"] or Path(settings.MEDIA_ROOT))
        if options["interactive"]:
            shown = url.split("@")[-1]
            answer = input(f"This replaces the data of {shown} and files in {media_root}. Type 'yes': ")
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        try:
            result = backups.restore_backup(
                options["backup"], url=url, media_root=media_root, key=backups.settings_key()
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {options['backup']}: database, {result['media_files']} media files.")
