"""`manage.py backup`: dump the database (pg_dump custom format) and the media folder into
BACKUP_DIR/<UTC time>/, encrypted with BACKUP_ENCRYPTION_KEY when it is set, then keep only the
BACKUP_KEEP newest sets (apps/core/backups.py, docs/security.md "Operations")."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core import backups


class Command(BaseCommand):
    help = "Back up the database and the media folder (encrypted when BACKUP_ENCRYPTION_KEY is set)."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", type=Path, default=None, help="default: BACKUP_DIR")
        parser.add_argument("--database-url", default=None, help="default: the default database")
        parser.add_argument("--media-root", type=Path, default=None, help="default: MEDIA_ROOT")
        parser.add_argument("--no-media", action="store_true", help="dump the database only")
        parser.add_argument(
            "--keep", type=int, default=None, help="sets to keep (default: BACKUP_KEEP; 0: all)"
        )
        parser.add_argument(
            "--require-encryption", action="store_true", help="fail when BACKUP_ENCRYPTION_KEY is not set"
        )

    def handle(self, *args, **options):
        key = backups.settings_key()
        if not key:
            if options["require_encryption"]:
                raise CommandError("BACKUP_ENCRYPTION_KEY is not set")
            self.stderr.write("BACKUP_ENCRYPTION_KEY is not set: the backup is NOT encrypted.")
        target = options["output_dir"] or Path(settings.BACKUP_DIR)
        media_root = None if options["no_media"] else (options["media_root"] or Path(settings.MEDIA_ROOT))
        try:
            folder = backups.create_backup(
                target, url=options["database_url"] or backups.database_url(), media_root=media_root, key=key
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        keep = settings.BACKUP_KEEP if options["keep"] is None else options["keep"]
        removed = backups.prune(target, keep)
        self.stdout.write(f"Backup written to {folder}" + (" (encrypted)" if key else ""))
        for old in removed:
            self.stdout.write(f"Removed old backup {old}")
