/**
 * The one migration convention of every store: an ordered list of named migrations, each
 * applied once and recorded by name in the database's `schema_migrations` table. A released
 * migration is never edited or renamed; a change is a new migration at the end of the list.
 * Each adapter keeps its own list (its own SQL) and runs it in its own transactions; what they
 * share is here: what is still to apply, and what an older tandem's numbered versions mean.
 */

export interface Migration {
  /** Stable and unique, ordered by a number: `0004_files`. */
  readonly name: string
  readonly sql: string
}

export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError'
}

/** Throws unless names are unique: a list that would record two migrations as one. */
export function checkMigrations(migrations: readonly Migration[]): readonly Migration[] {
  const names = new Set<string>()
  for (const { name } of migrations) {
    if (names.has(name)) throw new Error(`migration ${name} is listed twice`)
    names.add(name)
  }
  return migrations
}

/**
 * The migrations still to apply, in list order. A recorded name this tandem does not know was
 * applied by a newer tandem, whose schema this one cannot promise to read: refused.
 *
 * @throws {SchemaTooNewError}
 */
export function pendingMigrations(migrations: readonly Migration[], applied: ReadonlySet<string>): Migration[] {
  const known = new Set(migrations.map((migration) => migration.name))
  const unknown = [...applied].filter((name) => !known.has(name))
  if (unknown.length > 0) {
    throw new SchemaTooNewError(
      `database schema is newer than this tandem (it has migrations ${unknown.join(', ')}): run a newer tandem`,
    )
  }
  return migrations.filter((migration) => !applied.has(migration.name))
}

/**
 * Tandem once numbered its migrations (SQLite's `user_version`, numbered rows in PostgreSQL):
 * version n meant the first n migrations of the list, which kept their order when named.
 *
 * @throws {SchemaTooNewError} when the number is beyond the list.
 */
export function namesOfLegacyVersion(migrations: readonly Migration[], version: number): string[] {
  if (version > migrations.length) {
    throw new SchemaTooNewError(`database schema ${version} is newer than this tandem (${migrations.length})`)
  }
  return migrations.slice(0, version).map((migration) => migration.name)
}
