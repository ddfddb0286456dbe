"""Demo and benchmark organisation data.

``places`` and ``names`` hold the raw data, ``plan`` turns it into a deterministic in-memory description of
the demo organisation, ``seed`` writes that description through ``oa.org.services`` (idempotently) and
``generator`` builds large synthetic trees for benchmarks with bulk inserts.
"""

# One documented password for every demo account: 11 characters with upper and lower case letters,
# digits and a symbol, so it passes the password policy in settings.AUTH_PASSWORD_VALIDATORS.
DEMO_PASSWORD = "Oa@demo2026"
