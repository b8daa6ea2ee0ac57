"""Settings (environment-driven), URLs (every portal mounted), WSGI and gunicorn hooks: the top layer."""
