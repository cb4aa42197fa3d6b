"""gunicorn's settings for every way the project is served (docker-compose's `web`, the Dockerfile,
scripts/prod-smoke.sh, `manage.py benchmark`): gunicorn reads ./gunicorn.conf.py by default, and
the command lines add only the address, the workers and the timeouts.

Python's cyclic garbage collector walks every tracked object in its oldest generation from time
to time; in a worker holding Django, the URL configuration, compiled templates and caches, that
walk stalled one request in ten or so by 100-200 ms (measured with the district-scale benchmark,
docs/performance.md). Once a worker has loaded the application, its objects live as long as the
worker: `gc.freeze()` moves them out of the collector's reach, so a collection walks only what
requests allocate.
"""

import gc


def post_worker_init(worker):
    gc.collect()
    gc.freeze()
