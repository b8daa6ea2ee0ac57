"""gunicorn settings of esurety, read by gunicorn from its working directory.

`make demo` and the production command of README.md run gunicorn from the repository,
where it picks this file up; started elsewhere, pass `-c /path/to/esurety/gunicorn.conf.py`.
Command-line options (--bind, --workers, …) still apply on top.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))

from esurety.config.gunicorn import install_error_answers  # noqa: E402

# gunicorn's own errors (URL too long, headers too large, not HTTP) as the API's JSON, in Japanese.
install_error_answers()

# The request line holds the URL. Searches carry Japanese terms (9 bytes each once
# percent-encoded), and a login redirect encodes the whole search URL again into ?next=
# (15 bytes a character): the office search alone (工事名 200 + 保証契約者 100 + 発注者 100
# characters) then needs about 6 KB, more than gunicorn's default 4094. 8190 is gunicorn's
# maximum and the common proxy default (nginx large_client_header_buffers 8k).
limit_request_line = 8190
# Headers: gunicorn's defaults (100 fields of at most 8190 bytes) hold a session, a CSRF
# cookie and any proxy's X-Forwarded-* headers with room to spare.
limit_request_fields = 100
limit_request_field_size = 8190
