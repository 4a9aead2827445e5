"""Web Push to browsers (RFC 8030), encrypted (RFC 8291) and signed (VAPID, RFC 8292).

docs/decisions/0046 says which libraries do the cryptography and why.
"""
