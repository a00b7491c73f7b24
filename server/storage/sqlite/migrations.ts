/**
 * The SQLite schema, as named migrations (the convention is `../migrations.ts`). Append new
 * ones at the end; a new concern (files, versions, …) adds its tables here as migrations of
 * its own. The first three were numbered 1–3 (`user_version`) before migrations had names.
 */
import { type Migration, checkMigrations } from '../migrations'

export const SQLITE_MIGRATIONS: readonly Migration[] = checkMigrations([
  {
    name: '0001_documents',
    sql: `
      CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        snapshot BLOB
      );
      CREATE INDEX documents_recent ON documents (updated_at DESC, id DESC);
      CREATE TABLE updates (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        data BLOB NOT NULL
      );
      CREATE INDEX updates_by_document ON updates (doc_id, seq);
    `,
  },
  {
    name: '0002_journal',
    sql: `
      CREATE TABLE journal (
        seq INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        data BLOB NOT NULL
      );
    `,
  },
  {
    name: '0003_log_entries',
    sql: `
      ALTER TABLE updates ADD COLUMN entries INTEGER NOT NULL DEFAULT 1;
    `,
  },
  {
    name: '0351_shares',
    sql: `
      CREATE TABLE shares (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER
      );
      CREATE INDEX shares_by_document ON shares (doc_id, created_at);
    `,
  },
])
