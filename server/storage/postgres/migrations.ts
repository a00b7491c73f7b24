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
