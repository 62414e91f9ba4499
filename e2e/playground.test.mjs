// Browser test of the GraphiQL playground served at `/` by `portfolio serve`.
//
// Opens the page in Debian's chromium (playwright-core, no browser download),
// waits for GraphiQL to render with its default query, runs it, and checks
// that the result pane shows the bundled person and her current role. It
// fails on any console error, any uncaught page error, any failed or >= 400
// response from the server, and any request to another origin (no other host
// resolves in the browser, so such a request never leaves the machine).
//
// A second server runs without the playground's files (`--playground-assets`
// an empty directory), so its page falls back to the public CDN, which the
// browser cannot reach either: the page must then say so, with the command
// that fixes it, instead of "Loading GraphiQL…" forever.
//
//   PORTFOLIO_BASE            the server's base URL (default http://127.0.0.1:18080)
//   PORTFOLIO_NO_ASSETS_BASE  the server without assets (default http://127.0.0.1:18081)
//   CHROMIUM                  the browser (default /usr/bin/chromium)
//   E2E_STRICT=1              also fail on the favicon 404 (see FAVICON below)
//
// Screenshots: target/playground.png (the top of the result: the name),
// target/playground-role.png (the result scrolled to the current role) and
// target/playground-no-assets.png (the explanation), relative to the
// repository root.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = new URL(process.env.PORTFOLIO_BASE ?? 'http://127.0.0.1:18080');
const NO_ASSETS_BASE = new URL(process.env.PORTFOLIO_NO_ASSETS_BASE ?? 'http://127.0.0.1:18081');
// Where the page loads GraphiQL from when the server has no copy.
const CDN = 'https://unpkg.com';
const FIX = 'npm ci --prefix playground';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHOTS = join(REPO_ROOT, 'target');

const NAME = '안다혜';
const CURRENT_ROLE = '주식회사 무신사';

// Chromium asks every site for /favicon.ico on its own; the page declares no
// icon, so the server answers 404 and chromium logs it as a console error.
// That one message is tolerated (and printed as a diagnostic) unless
// E2E_STRICT=1; once the page declares an icon it no longer occurs.
const FAVICON = new URL('/favicon.ico', BASE).href;
const STRICT = process.env.E2E_STRICT === '1';

function isOwnOrigin(url) {
  const u = new URL(url);
  if (u.protocol === 'data:' || u.protocol === 'blob:') return true;
  return u.origin === BASE.origin;
}

// A fresh chromium in which only `base`'s host resolves.
async function browser(t, base) {
  const profile = mkdtempSync(join(tmpdir(), 'portfolio-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    // A Korean reader: the answer follows Accept-Language, and the bundled
    // portfolio's own locale is Korean.
    locale: 'ko-KR',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Nothing but the server's host resolves, so a request to another host
      // fails inside the browser (and fails the test) instead of going out.
      `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${base.hostname}`,
    ],
  });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context.pages()[0] ?? (await context.newPage());
}

test('the playground runs its default query and shows the portfolio', async (t) => {
  const page = await browser(t, BASE);

  const requests = [];
  const foreign = [];
  const consoleErrors = [];
  const pageErrors = [];
  const badResponses = [];
  const tolerated = [];

  // Record every request; one to another origin fails the test. (No
  // page.route(): request interception stops chromium from asking for
  // /favicon.ico, and the test should see what a person's browser does.)
  page.on('request', (request) => {
    requests.push(`${request.method()} ${request.url()}`);
    if (!isOwnOrigin(request.url())) foreign.push(request.url());
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location()?.url ?? '';
    if (!STRICT && where === FAVICON && /status of 404/.test(message.text())) {
      tolerated.push(`${message.text()} (${where})`);
      return;
    }
    consoleErrors.push(`${message.text()}${where ? ` (at ${where})` : ''}`);
  });
  page.on('pageerror', (error) => pageErrors.push(String(error?.stack ?? error)));
  page.on('requestfailed', (request) => {
    if (isOwnOrigin(request.url())) {
      badResponses.push(`${request.url()}: ${request.failure()?.errorText}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && isOwnOrigin(response.url()) && !(response.url() === FAVICON && !STRICT)) {
      badResponses.push(`${response.status()} ${response.url()}`);
    }
  });

  const problems = () =>
    [
      ...consoleErrors.map((e) => `console error: ${e}`),
      ...pageErrors.map((e) => `page error: ${e}`),
      ...badResponses.map((e) => `bad response: ${e}`),
      ...foreign.map((u) => `request to another host: ${u}`),
    ].join('\n');

  // Resolves with `promise`, or rejects as soon as the page has thrown or
  // asked for another host (instead of waiting for a selector to time out).
  async function failFast(promise) {
    let timer;
    const bail = new Promise((_, reject) => {
      timer = setInterval(() => {
        if (pageErrors.length > 0 || foreign.length > 0) reject(new Error('the page broke while loading'));
      }, 100);
    });
    try {
      return await Promise.race([promise, bail]);
    } finally {
      clearInterval(timer);
    }
  }

  try {
    const response = await page.goto(new URL('/', BASE).href, { waitUntil: 'load' });
    assert.equal(response?.status(), 200, 'GET / answers 200');
    const csp = response.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'[;\s]/, `the page is served under a same-origin CSP (got: ${csp})`);

    // GraphiQL has rendered: its container, the run button, and the default
    // query in the editor.
    await failFast(page.waitForSelector('.graphiql-container', { timeout: 30_000 }));
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForFunction(
      () => {
        const cm = document.querySelector('.graphiql-query-editor .CodeMirror');
        return cm?.CodeMirror?.getValue().includes('query Portfolio');
      },
      null,
      { timeout: 30_000 },
    );

    await run.click();

    // The result pane holds the response; CodeMirror renders only the lines in
    // view, so read its whole value, and check the name is also on screen.
    const handle = await page.waitForFunction(
      ([name, role]) => {
        const cm = document.querySelector('.graphiql-response .CodeMirror');
        const value = cm?.CodeMirror?.getValue() ?? '';
        return value.includes(name) && value.includes(role) ? value : false;
      },
      [NAME, CURRENT_ROLE],
      { timeout: 30_000 },
    );
    const result = JSON.parse(await handle.jsonValue());
    assert.equal(result.errors, undefined, `the query ran without errors: ${JSON.stringify(result.errors)}`);
    assert.equal(result.data.person.name, NAME);
    assert.equal(result.data.person.roles.nodes[0].organization, CURRENT_ROLE);
    assert.equal(result.data.person.roles.nodes[0].current, true);
    const shown = await page.locator('.graphiql-response').innerText();
    assert.ok(shown.includes(`"${NAME}"`), 'the name is visible in the result pane');

    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'playground.png') });
    // Then scroll the result to the current role for a second picture.
    await page.evaluate((role) => {
      const cm = document.querySelector('.graphiql-response .CodeMirror').CodeMirror;
      const line = cm.getValue().split('\n').findIndex((l) => l.includes(role));
      cm.scrollIntoView({ line: Math.max(0, line - 3), ch: 0 }, 0);
      cm.scrollTo(null, cm.heightAtLine(Math.max(0, line - 3), 'local'));
    }, CURRENT_ROLE);
    await page.waitForFunction(
      (role) => document.querySelector('.graphiql-response').innerText.includes(role),
      CURRENT_ROLE,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: join(SHOTS, 'playground-role.png') });
  } catch (error) {
    // Say what the browser saw, not only which wait timed out.
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'playground-failure.png') }).catch(() => {});
    const seen = problems();
    error.message += `\n\nscreenshot: ${join(SHOTS, 'playground-failure.png')}` +
      (seen ? `\nthe browser also saw:\n${seen}` : '') +
      `\nrequests:\n${requests.join('\n')}`;
    throw error;
  }

  // Let anything late (a deferred request, an error on idle) surface.
  await page.waitForTimeout(500);

  const graphqlPosts = requests.filter((r) => r === `POST ${new URL('/graphql', BASE).href}`);
  t.diagnostic(`requests: ${requests.length} (${graphqlPosts.length} to /graphql), all to ${BASE.origin}`);
  for (const r of requests) t.diagnostic(`  ${r}`);
  for (const w of tolerated) {
    t.diagnostic(`tolerated: ${w} — the page declares no icon (fix: <link rel="icon" href="data:,"> in playground.rs)`);
  }
  t.diagnostic(`screenshots: ${join(SHOTS, 'playground.png')}, ${join(SHOTS, 'playground-role.png')}`);
  assert.ok(graphqlPosts.length >= 1, 'the query went to the server');
  assert.equal(problems(), '', 'no console errors, page errors, bad responses or foreign requests');
});

test('without its files and the CDN, the playground says why and how to fix it', async (t) => {
  const page = await browser(t, NO_ASSETS_BASE);
  const own = (url) => new URL(url).origin === NO_ASSETS_BASE.origin || url.startsWith('data:');
  const requests = [];
  const foreign = [];
  const pageErrors = [];
  const consoleErrors = [];
  page.on('request', (request) => {
    requests.push(`${request.method()} ${request.url()}`);
    if (!own(request.url())) foreign.push(request.url());
  });
  page.on('pageerror', (error) => pageErrors.push(String(error?.stack ?? error)));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location()?.url ?? '';
    // The CDN's files fail to load, and chromium says so: expected here.
    if (where.startsWith(`${CDN}/`)) return;
    consoleErrors.push(`${message.text()}${where ? ` (at ${where})` : ''}`);
  });

  const started = Date.now();
  try {
    const response = await page.goto(new URL('/', NO_ASSETS_BASE).href, { waitUntil: 'load' });
    assert.equal(response?.status(), 200, 'GET / answers 200');
    const csp = response.headers()['content-security-policy'] ?? '';
    assert.match(csp, new RegExp(`script-src 'self' ${CDN}[;\\s]`), `the CDN fallback's CSP (got: ${csp})`);

    const failure = page.locator('#playground-failed');
    await failure.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await failure.innerText();
    assert.match(text, /GraphiQL could not be loaded/, text);
    assert.ok(text.includes(CDN), `the page names the CDN it tried: ${text}`);
    assert.ok(await page.getByText(FIX, { exact: true }).isVisible(), `the command is visible: ${text}`);
    assert.equal(await page.getByText('Loading GraphiQL…').isVisible(), false, 'no longer "Loading GraphiQL…"');
  } catch (error) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'playground-no-assets-failure.png') }).catch(() => {});
    error.message += `\n\nscreenshot: ${join(SHOTS, 'playground-no-assets-failure.png')}` +
      `\npage errors:\n${pageErrors.join('\n')}\nconsole errors:\n${consoleErrors.join('\n')}` +
      `\nrequests:\n${requests.join('\n')}`;
    throw error;
  }
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, 'playground-no-assets.png') });
  t.diagnostic(`explanation shown after ${Date.now() - started} ms; requests:`);
  for (const r of requests) t.diagnostic(`  ${r}`);
  t.diagnostic(`screenshot: ${join(SHOTS, 'playground-no-assets.png')}`);

  assert.ok(foreign.length > 0, 'the page tried the CDN');
  assert.deepEqual(foreign.filter((u) => !u.startsWith(`${CDN}/`)), [], 'no other host was asked');
  assert.deepEqual(pageErrors, [], 'no uncaught errors: the page notices GraphiQL is missing');
  assert.deepEqual(consoleErrors, [], 'no console errors but the CDN\'s failed loads');
});
