"""API tokens of the connected systems (an orderer's 電子契約システム, a surety's core system): the token,
its system user, who may issue and revoke it. The JSON API (api) authenticates with them; the office
and the verify portal manage them. The table keeps its name (api_apitoken) from when it lived in api.
"""
