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
    // Files of a document (images), as BLOBs; they go with their document.
    name: '0101_files',
    sql: `
      CREATE TABLE files (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX files_by_document ON files (doc_id);
      `,
  },
  {
    // Versions (issue 14): full states with their authors; one automatic version per state; the
    // authors noted since the last version wait in version_authors.
    name: '0201_versions',
    sql: `
      CREATE TABLE versions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('auto', 'named', 'restore', 'import')),
        name TEXT,
        authors TEXT NOT NULL,
        state_key TEXT NOT NULL,
        state BLOB NOT NULL
      );
      CREATE INDEX versions_by_document ON versions (doc_id, seq);
      CREATE INDEX versions_by_age ON versions (created_at) WHERE kind <> 'named';
      CREATE UNIQUE INDEX versions_auto_once ON versions (doc_id, state_key) WHERE kind = 'auto';
      CREATE TABLE version_authors (
        doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        author_key TEXT NOT NULL,
        sub TEXT,
        name TEXT,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        PRIMARY KEY (doc_id, author_key)
      );
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
  {
    // Full-text search (sqlite/search.ts): the text for snippets, and a contentless FTS5 index of
    // the folded words; deleting a document (or its entry) deletes its words.
    name: '0301_search',
    sql: `
      CREATE TABLE search_documents (
        entry INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL UNIQUE REFERENCES documents (id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        indexed_at INTEGER NOT NULL
      );
      CREATE VIRTUAL TABLE search_fts USING fts5 (
        title, body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER search_documents_deleted AFTER DELETE ON search_documents BEGIN
        DELETE FROM search_fts WHERE rowid = old.entry;
      END;
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
