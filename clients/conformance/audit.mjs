#!/usr/bin/env node
// The GraphQL-over-HTTP specification's own server audits (from the
// graphql-http reference implementation) against a live server.
//
//   PORTFOLIO_URL=http://127.0.0.1:8000/graphql node audit.mjs
//
// Every MUST audit has to pass; SHOULD and MAY audits are reported. Exits
// non-zero on any MUST failure.
import { auditServer } from 'graphql-http';

const url = process.env.PORTFOLIO_URL ?? 'http://127.0.0.1:8000/graphql';
const results = await auditServer({ url });
const counts = { ok: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    const level = result.status === 'error' ? 'FAIL' : 'note';
    console.log(`${level}: ${result.name}: ${result.reason}`);
  }
}
console.log(`graphql-over-http audit: ${counts.ok} passed, ${counts.error} failed, ${counts.warn} warnings (SHOULD/MAY) of ${results.length}`);
process.exit(counts.error > 0 ? 1 : 0);
