"""The JSON API /api/v1/ (django-ninja): bearer tokens, the orderers' and the sureties' operations, OpenAPI."""
