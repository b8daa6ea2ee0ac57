"""The bench server's settings: the product's, with bench/server_urls.py as the URLconf."""

from esurety.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.server_urls"
