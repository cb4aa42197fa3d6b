"""Finding 9 (issue 14): backups can be restored, encrypted, and the ID numbers read back.

`manage.py backup` dumps the test database (a worker with an encrypted ID number, a media file)
encrypted with BACKUP_ENCRYPTION_KEY; it is restored into a scratch database A, A is backed up
and then DROPPED, a fresh database B is created and the second backup restored into it; the ID
number is decrypted from B's row with PERSONAL_DATA_KEYS, and the media file is back.
PostgreSQL only (pg_dump / pg_restore)."""

import datetime as dt
import io
import os

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from apps.contracts.models import Worker
from apps.core import backups, personal_data

with_database = pytest.mark.django_db(transaction=True)  # the worker's row must be committed

ID_NUMBER = personal_data.with_check_character("11010519491231002")


def _admin():
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"] or "postgres",
        password=s["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _url(name: str) -> str:
    test_url = backups.database_url()
    return test_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def scratch_databases():
    names = [f"{connection.settings_dict['NAME']}_bk{os.getpid()}_{x}" for x in ("a", "b")]
    with _admin() as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    yield names
    with _admin() as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@with_database
def test_backup_drop_restore_and_decrypt_the_id_number(settings, tmp_path, scratch_databases):
    settings.BACKUP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    worker = Worker.objects.create(
        name="王伟",
        id_number=ID_NUMBER,
        id_number_hash=personal_data.lookup_hash(ID_NUMBER),
        sex=Worker.Sex.MALE,
        birth_date=dt.date(1949, 12, 31),
    )
    (settings.MEDIA_ROOT / "documents").mkdir(parents=True)
    (settings.MEDIA_ROOT / "documents" / "certificate.pdf").write_bytes(b"%PDF-1.7 certificate")
    name_a, name_b = scratch_databases

    # 1. Back up the test database and restore it into scratch database A.
    call_command("backup", output_dir=tmp_path / "first", keep=0, stdout=io.StringIO())
    [first] = (tmp_path / "first").iterdir()
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name_a}"')
    call_command(
        "restore", first, database_url=_url(name_a), media_root=tmp_path / "media-a", interactive=False,
        stdout=io.StringIO(),
    )  # fmt: skip

    # 2. Back up A (encrypted), drop A.
    call_command(
        "backup", output_dir=tmp_path / "second", database_url=_url(name_a), media_root=tmp_path / "media-a",
        keep=0, stdout=io.StringIO(),
    )  # fmt: skip
    [second] = (tmp_path / "second").iterdir()
    dump = (second / "database.dump.enc").read_bytes()
    assert dump.startswith(backups.MAGIC) and b"PGDMP" not in dump[:200]
    with _admin() as admin:
        admin.execute(f'DROP DATABASE "{name_a}" WITH (FORCE)')
        assert not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name_a]).fetchone()
        admin.execute(f'CREATE DATABASE "{name_b}"')

    # 3. Restore into the fresh database B and read the ID number back.
    media_b = tmp_path / "media-b"
    out = io.StringIO()
    call_command(
        "restore", second, database_url=_url(name_b), media_root=media_b, interactive=False, stdout=out
    )
    assert "1 media files" in out.getvalue()
    with psycopg.connect(_url(name_b)) as conn:
        token, id_hash = conn.execute(
            "SELECT id_number, id_number_hash FROM contracts_worker WHERE id = %s", [worker.pk]
        ).fetchone()
    assert token != ID_NUMBER  # encrypted at rest in the restored data too
    assert personal_data.decrypt(token) == ID_NUMBER
    assert id_hash == personal_data.lookup_hash(ID_NUMBER)
    assert (media_b / "documents" / "certificate.pdf").read_bytes() == b"%PDF-1.7 certificate"


@with_database
def test_an_encrypted_backup_needs_its_key_and_refuses_alteration(settings, tmp_path, scratch_databases):
    settings.BACKUP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    call_command("backup", output_dir=tmp_path, no_media=True, keep=0, stdout=io.StringIO())
    [folder] = tmp_path.iterdir()
    target = _url(scratch_databases[0])

    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(CommandError, match="encrypted"):
        call_command("restore", folder, database_url=target, no_media=True, interactive=False)
    settings.BACKUP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(CommandError, match="wrong BACKUP_ENCRYPTION_KEY"):
        call_command("restore", folder, database_url=target, no_media=True, interactive=False)

    dump = folder / "database.dump.enc"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 1
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", folder, database_url=target, no_media=True, interactive=False)


def test_the_stream_cipher_detects_reordered_and_truncated_chunks(monkeypatch):
    monkeypatch.setattr(backups, "CHUNK", 16)
    key = Fernet.generate_key()
    raw = io.BytesIO()
    writer = backups.EncryptingWriter(raw, key)
    payload = bytes(range(256)) * 3
    writer.write(payload[:100])
    writer.write(payload[100:])
    writer.close()
    sealed = raw.getvalue()
    assert b"".join(backups.decrypt_chunks(io.BytesIO(sealed), key)) == payload

    records, rest = [], sealed[len(backups.MAGIC) :]
    while rest:
        length = int.from_bytes(rest[:4], "big")
        records.append(rest[: 4 + length])
        rest = rest[4 + length :]
    swapped = backups.MAGIC + records[1] + records[0] + b"".join(records[2:])
    with pytest.raises(backups.BackupError, match="out of order"):
        b"".join(backups.decrypt_chunks(io.BytesIO(swapped), key))
    truncated = backups.MAGIC + b"".join(records[:-1])
    with pytest.raises(backups.BackupError, match="truncated"):
        b"".join(backups.decrypt_chunks(io.BytesIO(truncated), key))


def test_retention_keeps_the_newest_sets(tmp_path):
    for stamp in ("20260101T000000Z", "20260102T000000Z", "20260103T000000Z"):
        (tmp_path / stamp).mkdir()
        (tmp_path / stamp / backups.MANIFEST).write_text("{}")
    (tmp_path / "notes").mkdir()
    removed = backups.prune(tmp_path, keep=2)
    assert [p.name for p in removed] == ["20260101T000000Z"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["20260102T000000Z", "20260103T000000Z", "notes"]
