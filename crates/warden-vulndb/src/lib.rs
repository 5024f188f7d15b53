//! Advisory feed ingest, the compact offline database, and its queries.
