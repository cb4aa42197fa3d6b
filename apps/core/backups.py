"""Backups of the database and the media folder, optionally encrypted, and their restore
(`manage.py backup` / `manage.py restore`, `make backup` / `make restore`; docs/security.md,
"Operations", and docs/deployment.md).

A backup is a directory `<BACKUP_DIR>/<UTC time>/` holding
- `database.dump[.enc]`: `pg_dump --format=custom` of the default database;
- `media.tar.gz[.enc]`: the media folder (generated PDFs, uploads);
- `manifest.json`: when, what, whether encrypted, and the SHA-256 of each file as written.

Encryption (BACKUP_ENCRYPTION_KEY, a Fernet key): the stream is cut into chunks of 1 MiB, each
sealed as a Fernet token (AES-128-CBC + HMAC-SHA256) over its sequence number, a last-chunk flag
and the bytes, and written length-prefixed after a magic line. Nothing is held in memory whole;
a reordered, dropped, truncated or altered chunk fails the restore. The key is not the key of the
ID numbers (PERSONAL_DATA_KEYS): the dump holds those numbers encrypted, and both keys are kept
apart from the backups (docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import struct
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connections

MAGIC = b"PARK-BACKUP-FERNET-1\n"
CHUNK = 1024 * 1024
_HEADER = struct.Struct(">QB")  # sequence number, last-chunk flag
_LENGTH = struct.Struct(">I")
DATABASE_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


# --- Streaming encryption --------------------------------------------------------------------


class EncryptingWriter:
    """A write-only file object sealing what is written in chunks (see the module docstring)."""

    def __init__(self, raw: BinaryIO, key: str | bytes):
        self.raw = raw
        self.fernet = Fernet(key)
        self.buffer = bytearray()
        self.sequence = 0
        self.closed = False
        raw.write(MAGIC)

    def writable(self) -> bool:
        return True

    def _seal(self, data: bytes, last: bool) -> None:
        token = self.fernet.encrypt(_HEADER.pack(self.sequence, int(last)) + data)
        self.raw.write(_LENGTH.pack(len(token)) + token)
        self.sequence += 1

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        self.raw.flush()

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self.buffer), last=True)
            self.buffer.clear()
            self.raw.flush()
            self.closed = True


def decrypt_chunks(raw: BinaryIO, key: str | bytes) -> Iterator[bytes]:
    """The plain bytes of an encrypted stream, chunk by chunk; BackupError if anything is off."""
    fernet = Fernet(key)
    if raw.read(len(MAGIC)) != MAGIC:
        raise BackupError("not an encrypted backup file (magic line missing)")
    expected, finished = 0, False
    while True:
        length = raw.read(_LENGTH.size)
        if not length:
            break
        if finished or len(length) != _LENGTH.size:
            raise BackupError("encrypted backup has data after its last chunk or a cut length")
        token = raw.read(_LENGTH.unpack(length)[0])
        try:
            plain = fernet.decrypt(token)
        except InvalidToken as exc:
            raise BackupError("wrong BACKUP_ENCRYPTION_KEY, or the backup file was altered") from exc
        sequence, last = _HEADER.unpack_from(plain)
        if sequence != expected:
            raise BackupError(f"encrypted backup chunks out of order (expected {expected}, found {sequence})")
        expected += 1
        finished = bool(last)
        yield plain[_HEADER.size :]
    if not finished:
        raise BackupError("encrypted backup is truncated (its last chunk is missing)")


# --- Database --------------------------------------------------------------------------------


def database_url(alias: str = "default") -> str:
    """A libpq URI for the database `alias` (pg_dump / pg_restore take it as --dbname)."""
    s = connections[alias].settings_dict
    if connections[alias].vendor != "postgresql":
        raise BackupError("backups need PostgreSQL (pg_dump --format=custom)")
    user = quote(s["USER"] or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgresql://{auth}{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{quote(s['NAME'], safe='')}"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client (apt-get install postgresql-client)"
        )
    return path


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _open_output(path: Path, key: str | None):
    raw = path.open("wb")
    return raw, (EncryptingWriter(raw, key) if key else raw)


def dump_database(path: Path, url: str, key: str | None) -> None:
    raw, out = _open_output(path, key)
    try:
        proc = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--dbname={url}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for block in iter(lambda: proc.stdout.read(CHUNK), b""):
            out.write(block)
        stderr = proc.stderr.read()
        if proc.wait() != 0:
            raise BackupError(f"pg_dump failed: {stderr.decode(errors='replace').strip()}")
        out.close()
    finally:
        raw.close()


def restore_database(path: Path, url: str, key: str | None) -> None:
    """pg_restore into `url` (existing objects are dropped first), reading the dump from stdin."""
    proc = subprocess.Popen(  # noqa: S603
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={url}",
        ],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        with path.open("rb") as raw:
            blocks = decrypt_chunks(raw, key) if key else iter(lambda: raw.read(CHUNK), b"")
            for block in blocks:
                proc.stdin.write(block)
        proc.stdin.close()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    stderr = proc.stderr.read()
    if proc.wait() != 0:
        raise BackupError(f"pg_restore failed: {stderr.decode(errors='replace').strip()}")


# --- Media -----------------------------------------------------------------------------------


def dump_media(path: Path, media_root: Path, key: str | None) -> int:
    raw, out = _open_output(path, key)
    count = 0
    try:
        with tarfile.open(fileobj=out, mode="w|gz") as tar:
            if media_root.is_dir():
                for item in sorted(media_root.rglob("*")):
                    if item.is_file() and not item.is_symlink():
                        tar.add(item, arcname=str(item.relative_to(media_root)), recursive=False)
                        count += 1
        out.close()
    finally:
        raw.close()
    return count


class _ChunkReader:
    """A read-only file object over decrypted chunks (tarfile's stream mode reads from it)."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks, self.pending = chunks, b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.pending) < size:
            block = next(self.chunks, None)
            if block is None:
                break
            self.pending += block
        if size < 0:
            data, self.pending = self.pending, b""
        else:
            data, self.pending = self.pending[:size], self.pending[size:]
        return data


def restore_media(path: Path, media_root: Path, key: str | None) -> int:
    media_root.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("rb") as raw:
        source = _ChunkReader(decrypt_chunks(raw, key)) if key else raw
        with tarfile.open(fileobj=source, mode="r|gz") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                # The "data" filter refuses absolute paths, "..", links and devices.
                tar.extract(member, media_root, filter="data")
                count += 1
    return count


# --- Backup sets -----------------------------------------------------------------------------


def create_backup(target_dir: Path, *, url: str, media_root: Path | None, key: str | None) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = target_dir / stamp
    folder.mkdir(parents=True, exist_ok=False)
    folder.chmod(0o700)
    suffix = ".enc" if key else ""
    files = {}
    database = folder / f"{DATABASE_FILE}{suffix}"
    dump_database(database, url, key)
    files["database"] = {"name": database.name, "sha256": _sha256_file(database)}
    if media_root is not None:
        media = folder / f"{MEDIA_FILE}{suffix}"
        count = dump_media(media, media_root, key)
        files["media"] = {"name": media.name, "sha256": _sha256_file(media), "files": count}
    manifest = {"created": stamp, "encrypted": bool(key), "format": "pg_dump custom; tar.gz", "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return folder


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} is not a backup (no readable {MANIFEST})") from exc
    for entry in manifest["files"].values():
        if _sha256_file(folder / entry["name"]) != entry["sha256"]:
            raise BackupError(f"{entry['name']} does not match the SHA-256 in the manifest")
    return manifest


def restore_backup(folder: Path, *, url: str, media_root: Path | None, key: str | None) -> dict:
    manifest = read_manifest(folder)
    if manifest["encrypted"] and not key:
        raise BackupError("this backup is encrypted: set BACKUP_ENCRYPTION_KEY")
    key = key if manifest["encrypted"] else None
    restore_database(folder / manifest["files"]["database"]["name"], url, key)
    restored = {"database": True, "media_files": 0}
    if media_root is not None and "media" in manifest["files"]:
        restored["media_files"] = restore_media(folder / manifest["files"]["media"]["name"], media_root, key)
    return restored


def prune(target_dir: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest backup sets (directories with a manifest) in target_dir."""
    sets = sorted(p for p in target_dir.iterdir() if (p / MANIFEST).is_file()) if target_dir.is_dir() else []
    removed = sets[:-keep] if keep > 0 else []
    for old in removed:
        shutil.rmtree(old)
    return removed


def settings_key() -> str | None:
    return getattr(settings, "BACKUP_ENCRYPTION_KEY", "") or None
