/**
 * The PostgreSQL schema, as named migrations (the convention is `../migrations.ts`). Append new
 * ones at the end; a new concern (files, versions, …) adds its tables here as migrations of its
 * own. The first was version 1 in a numbered `schema_migrations` before migrations had names.
 */
import { type Migration, checkMigrations } from '../migrations'

export const POSTGRES_MIGRATIONS: readonly Migration[] = checkMigrations([
  {
    name: '0001_documents',
    sql: `
      CREATE TABLE documents (
        id text COLLATE "C" PRIMARY KEY,
        title text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        snapshot bytea,
        byte_size bigint NOT NULL DEFAULT 0,
        log_length integer NOT NULL DEFAULT 0
      );
      COMMENT ON COLUMN documents.created_at IS 'milliseconds since the Unix epoch';
      COMMENT ON COLUMN documents.updated_at IS 'milliseconds since the Unix epoch';
      CREATE INDEX documents_recent ON documents (updated_at DESC, id DESC);
      CREATE TABLE updates (
        seq bigserial PRIMARY KEY,
        doc_id text COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        data bytea NOT NULL
      );
      CREATE INDEX updates_by_document ON updates (doc_id, seq);
    `,
  },
  {
    // Files of a document (images), as bytea; they go with their document.
    name: '0101_files',
    sql: `
      CREATE TABLE files (
        id text COLLATE "C" PRIMARY KEY,
        doc_id text COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        content_type text NOT NULL,
        size integer NOT NULL,
        created_at bigint NOT NULL,
        data bytea NOT NULL
      );
      COMMENT ON COLUMN files.created_at IS 'milliseconds since the Unix epoch';
      CREATE INDEX files_by_document ON files (doc_id);
      `,
  },
  {
    // Versions (issue 14): full states with their authors; one automatic version per state; the
    // authors noted since the last version wait in version_authors.
    name: '0201_versions',
    sql: `
      CREATE TABLE versions (
        seq bigserial PRIMARY KEY,
        id text COLLATE "C" NOT NULL UNIQUE,
        doc_id text COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        created_at bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('auto', 'named', 'restore', 'import')),
        name text,
        authors jsonb NOT NULL,
        state_key text NOT NULL,
        state bytea NOT NULL
      );
      COMMENT ON COLUMN versions.created_at IS 'milliseconds since the Unix epoch';
      CREATE INDEX versions_by_document ON versions (doc_id, seq);
      CREATE INDEX versions_by_age ON versions (created_at) WHERE kind <> 'named';
      CREATE UNIQUE INDEX versions_auto_once ON versions (doc_id, state_key) WHERE kind = 'auto';
      CREATE TABLE version_authors (
        doc_id text COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        author_key text NOT NULL,
        sub text,
        name text,
        first_seen_at bigint NOT NULL,
        last_seen_at bigint NOT NULL,
        PRIMARY KEY (doc_id, author_key)
      );
      `,
  },
  {
    // The trash (issue 14): a deleted document keeps its row, marked with when it was deleted.
    // The partial index serves the trash listing (newest first) and the retention sweep.
    name: '0251_trash',
    sql: `
      ALTER TABLE documents ADD COLUMN deleted_at bigint;
      COMMENT ON COLUMN documents.deleted_at IS 'milliseconds since the Unix epoch; set while in the trash';
      CREATE INDEX documents_trash ON documents (deleted_at DESC, id DESC) WHERE deleted_at IS NOT NULL;
      `,
  },
  {
    // Full-text search (postgres/search.ts): the text for snippets, and a tsvector of the words
    // folded in JavaScript (title weight A, body B) under a GIN index; no extension needed. The
    // title's own small vector tells title matches without reading the whole one again.
    name: '0301_search',
    sql: `
      CREATE TABLE search_documents (
        doc_id text COLLATE "C" PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
        body text NOT NULL,
        vector tsvector NOT NULL,
        title_vector tsvector NOT NULL,
        indexed_at bigint NOT NULL
      );
      COMMENT ON COLUMN search_documents.indexed_at IS 'when the text was read, milliseconds since the Unix epoch';
      -- Vectors stay in the table row (compressed if need be), not in TOAST: ranking reads every
      -- match's vector, and a TOAST fetch per match tripled a search's CPU (docs/benchmarks.md).
      ALTER TABLE search_documents ALTER COLUMN vector SET STORAGE MAIN, ALTER COLUMN title_vector SET STORAGE MAIN;
      CREATE INDEX search_documents_vector ON search_documents USING gin (vector);
      `,
  },
  {
    name: '0351_shares',
    sql: `
      CREATE TABLE shares (
        id text COLLATE "C" PRIMARY KEY,
        doc_id text COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        role text NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint
      );
      COMMENT ON COLUMN shares.created_at IS 'milliseconds since the Unix epoch';
      COMMENT ON COLUMN shares.expires_at IS 'milliseconds since the Unix epoch; null: until revoked';
      CREATE INDEX shares_by_document ON shares (doc_id, created_at);
    `,
  },
])
