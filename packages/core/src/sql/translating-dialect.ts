import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

export interface TranslatingDialectOptions {
  /** Maps a driver error to what keyward throws (e.g. `UNAVAILABLE`); returns anything else unchanged. */
  translate: (error: unknown) => unknown;
  /** The statement that opens a transaction instead of the driver's own (SQLite: `begin immediate`). */
  begin?: string;
}

/**
 * `dialect` with every failure of its driver (connect, query, stream, begin, commit,
 * rollback) passed through `translate`: the adapter that owns the driver says what its
 * errors mean, once, for every store on the database. Unique violations and other errors
 * that `translate` leaves alone reach the stores as the driver threw them.
 */
export function translatingDialect(dialect: Dialect, options: TranslatingDialectOptions): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => new TranslatingDriver(dialect.createDriver(), options),
  };
}

class TranslatedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly translate: (error: unknown) => unknown,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (error) {
      throw this.translate(error);
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (error) {
      throw this.translate(error);
    }
  }
}

const innerOf = (connection: DatabaseConnection): DatabaseConnection =>
  connection instanceof TranslatedConnection ? connection.inner : connection;

class TranslatingDriver implements Driver {
  private readonly translate: (error: unknown) => unknown;

  constructor(
    private readonly inner: Driver,
    private readonly options: TranslatingDialectOptions,
  ) {
    this.translate = options.translate;
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.translate(error);
    }
  }

  init(): Promise<void> {
    return this.guard(() => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.guard(() => this.inner.acquireConnection());
    return new TranslatedConnection(connection, this.translate);
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const { begin } = this.options;
    return this.guard(async () => {
      if (begin === undefined) await this.inner.beginTransaction(innerOf(connection), settings);
      else await innerOf(connection).executeQuery(CompiledQuery.raw(begin));
    });
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.guard(() => this.inner.commitTransaction(innerOf(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.guard(() => this.inner.rollbackTransaction(innerOf(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
