// Runs every check in ./checks against a live server and exits non-zero when
// any fails.
//
//   PORTFOLIO_URL   the GraphQL endpoint (default http://127.0.0.1:18080/graphql)
//   CHECKS          optional comma-separated substrings: run only matching checks
import { CheckFailed, Context, PORTFOLIO_URL } from './lib';
import { checks } from './checks/index';

/** A failure in one paragraph: an expectation's message, or the error and its cause. */
function describe(error: unknown): string {
  if (error instanceof CheckFailed) return error.message;
  if (!(error instanceof Error)) return String(error);
  if (process.env.DEBUG) return error.stack ?? error.message;
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

const only = (process.env.CHECKS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const selected = only.length ? checks.filter((c) => only.some((o) => c.name.includes(o))) : checks;

console.log(`typescript client: ${selected.length} checks against ${PORTFOLIO_URL}`);
const ctx = new Context(PORTFOLIO_URL);
let passed = 0;
let failed = 0;
for (const [i, c] of selected.entries()) {
  const started = performance.now();
  try {
    const summary = await c.run(ctx);
    const ms = Math.round(performance.now() - started);
    passed += 1;
    console.log(`ok ${i + 1} - ${c.name} (${ms} ms)${summary ? `\n     ${summary}` : ''}`);
  } catch (error) {
    failed += 1;
    const message = describe(error);
    console.log(`not ok ${i + 1} - ${c.name}\n     ${message.replaceAll('\n', '\n     ')}`);
  }
}
console.log(`typescript client: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
