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
    // The trash (issue 14): a deleted document keeps its row, marked with when it was deleted
    // (milliseconds since the epoch). The partial index serves the trash listing (newest first)
    // and the retention sweep (oldest first), and costs nothing for documents not in the trash.
    name: '0251_trash',
    sql: `
      ALTER TABLE documents ADD COLUMN deleted_at INTEGER;
      CREATE INDEX documents_trash ON documents (deleted_at DESC, id DESC) WHERE deleted_at IS NOT NULL;
    `,
  },
])
