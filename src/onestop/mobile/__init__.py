"""Mobile centres and home visits: a van's operator captures tickets and applications
offline and syncs them once, idempotently; people who cannot come are visited at home."""
