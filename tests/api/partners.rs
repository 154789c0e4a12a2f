//! Partner platforms: registry, credentials, tokens, batch upsert with idempotency (issue 7).
