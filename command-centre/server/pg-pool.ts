// The command centre's connections to PostgreSQL, shared by its ledger (store-pg.ts) and its operators
// (operator-store-pg.ts): the pool, transactions tried again on deadlock, and the schema's migrations.
import pg from 'pg';
import type { Migration } from '../../src/base/db.js';
import { log } from '../../src/base/log.js';

/** Deadlock, serialization failure: the transaction is tried again from the start. */
const RETRYABLE = new Set(['40P01', '40001']);
const INT8 = 20;
const NUMERIC = 1700;
/** Any constant: it names "the command centre's schema" to every aggregator. */
const MIGRATION_LOCK = 7340113;

/** Counts, ids and times are BIGINT; every one of them fits a JavaScript number. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function newPool(url: string, max: number): pg.Pool {
  // Connections are kept open: a new one costs a connection and a cold catalog cache, which
  // would land on the commit or receipt that happens to need it.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    idleTimeoutMillis: 0,
    // A server that stops answering fails the commit (its kiosks send again) rather than letting
    // batches pile up in memory behind it.
    connectionTimeoutMillis: 10_000,
    query_timeout: 30_000,
    types,
  });
  // A connection the server drops is replaced; the error must not end the process.
  pool.on('error', (err) => log.warn(`command centre: a PostgreSQL connection failed: ${err.message}`));
  return pool;
}

/**
 * A connection lost while checked out (the server restarted) is reported by an 'error' event as well as
 * by the failing query; without a listener that event would end the process.
 */
function onClientError(err: Error): void {
  log.warn(`command centre: a PostgreSQL connection in use failed: ${err.message}`);
}

export async function checkout(pool: pg.Pool): Promise<pg.PoolClient> {
  const c = await pool.connect();
  c.on('error', onClientError);
  return c;
}

export function release(c: pg.PoolClient, broken = false): void {
  c.removeListener('error', onClientError);
  c.release(broken);
}

/** Runs `work` in one transaction; a deadlock or serialization failure runs it again from the start. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (c: pg.PoolClient) => Promise<T>,
  level = 'READ COMMITTED',
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const c = await checkout(pool);
    let broken = false;
    try {
      await c.query(`BEGIN ISOLATION LEVEL ${level}`);
      const result = await work(c);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      // A connection that cannot even roll back (the server restarted) is closed, not pooled again.
      await c.query('ROLLBACK').catch(() => {
        broken = true;
      });
      if (attempt < 5 && RETRYABLE.has((err as { code?: string }).code ?? '')) continue;
      throw err;
    } finally {
      release(c, broken);
    }
  }
}

/** Applies every migration newer than the database, under a lock that concurrent starts wait for. */
export async function migratePg(pool: pg.Pool, migrations: readonly Migration[]): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)`);
    const current = Number(
      (await c.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows[0].v,
    );
    const latest = migrations.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new Error(`the database is at version ${current}, newer than this software (${latest})`);
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
  });
}
