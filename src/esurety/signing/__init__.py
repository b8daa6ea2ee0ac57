"""PAdES signatures of the sureties on every PDF, the registry of issued files, and their validation
(what the public check page asks).
"""
