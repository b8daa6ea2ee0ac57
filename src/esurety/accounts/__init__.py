"""Signing in and membership: login, lockout, TOTP for staff, password reset, 利用申込, an organisation's
members.
"""
