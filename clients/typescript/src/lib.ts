// What every check shares: the client, the person under test, assertions, and
// a per-run context that memoises results other checks compare against.

import { isDeepStrictEqual, inspect } from 'node:util';
import { ClientError, GraphQLClient } from 'graphql-request';
import { PortfolioPageDocument, type PortfolioPageQuery } from './gql/graphql';

export const PORTFOLIO_URL = process.env.PORTFOLIO_URL ?? 'http://127.0.0.1:18080/graphql';

/** The bundled person every check reads. */
export const SLUG = 'dahye-ahn';

/** A failed expectation: its message is what the run prints. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

export function equal<T>(actual: T, expected: T, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new CheckFailed(
      `${what}: expected ${inspect(expected, { depth: 6 })}, got ${inspect(actual, { depth: 6 })}`,
    );
  }
}

/** The value, or a failure naming what was missing. */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new CheckFailed(`${what} is missing (${String(value)})`);
  return value;
}

/** One GraphQL error as the server sends it. */
export interface ServerError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

/**
 * Runs a request that must fail with GraphQL errors, and returns them. A
 * request that succeeds, or fails without a GraphQL response (network, HTTP),
 * is a failed check.
 */
export async function expectErrors(request: () => Promise<unknown>, what: string): Promise<ServerError[]> {
  try {
    const data = await request();
    throw new CheckFailed(`${what}: expected GraphQL errors, got data ${inspect(data, { depth: 4 })}`);
  } catch (error) {
    if (error instanceof CheckFailed) throw error;
    if (error instanceof ClientError && Array.isArray(error.response.errors)) {
      return error.response.errors as unknown as ServerError[];
    }
    throw error;
  }
}

/** What one run of all checks shares. */
export class Context {
  readonly client: GraphQLClient;
  #portfolio: Promise<PortfolioPageQuery> | undefined;

  constructor(url: string) {
    this.client = new GraphQLClient(url, {
      headers: { 'x-client': 'portfolio-client-typescript' },
    });
  }

  /** The portfolio page of the bundled person, fetched once per run. */
  portfolio(): Promise<PortfolioPageQuery> {
    this.#portfolio ??= this.client.request(PortfolioPageDocument, { slug: SLUG });
    return this.#portfolio;
  }

  /** The bundled person from the portfolio page (fails when null). */
  async person(): Promise<NonNullable<PortfolioPageQuery['person']>> {
    return present((await this.portfolio()).person, `person(slug: "${SLUG}")`);
  }
}

/**
 * One check: a name, and a function that throws on failure and may return a
 * one-line summary of what it saw.
 */
export interface Check {
  name: string;
  run(ctx: Context): Promise<string | void>;
}
