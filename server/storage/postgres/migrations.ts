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
])
