# Production image: Django + gunicorn (web) and Celery (worker, beat) share it.
# See docs/deployment.md. Cannot be built in this repository's CI (no Docker engine).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint needs Pango (with its FreeType backend) and HarfBuzz subsetting; Noto CJK renders
# Chinese in generated PDFs; fontconfig builds the system font cache once here (the app user
# cannot write one, and rescanning the CJK fonts in every process is slow); gettext provides
# msgfmt for compilemessages; postgresql-client gives pg_dump / pg_restore to `manage.py backup` and
# `restore` (the same major version as the postgres service).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-noto-cjk \
        fontconfig \
        gettext \
        postgresql-client \
    && fc-cache -f \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged runtime user; the app never runs as root.
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first so code changes do not invalidate this layer.
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt

COPY . .

# Build-time only: production settings refuse the default secret key, so use a throwaway one
# (inline, not ENV, so none of these values persist into the runtime environment).
RUN SECRET_KEY=build-only-throwaway-secret-key-0123456789abcdefghijklmnopqrstuv \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    ALLOWED_HOSTS=localhost \
    SITE_URL=http://localhost \
    PERSONAL_DATA_KEYS=YnVpbGQtb25seS10aHJvd2F3YXkta2V5LTAxMjM0NTY= \
    PERSONAL_DATA_HASH_KEY=build-only-throwaway-hash-key-0123456789 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    sh -c "python manage.py compilemessages && python manage.py collectstatic --noinput" \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /app/media /app/backups \
    && chown app:app /app/media /app/backups

# /app/media and /app/backups are owned by app before the named volume is first mounted there, so the volume
# inherits that ownership and web, worker and backup can write to it.
USER app

EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
