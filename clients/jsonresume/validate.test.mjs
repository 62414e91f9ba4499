// Self-check of validate.mjs: the package's own sample, a small valid
// document, an invalid one, and a wrong count (documents written to a temp
// directory, none committed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, 'validate.mjs');
const sample = createRequire(import.meta.url).resolve('@jsonresume/schema/sample.resume.json');
const dir = mkdtempSync(join(tmpdir(), 'jsonresume-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}
function write(name, doc) {
  const file = join(dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return file;
}

const valid = {
  basics: { name: '안다혜', label: 'Site Reliability Engineer', email: 'someone@example.com' },
  work: [
    { name: '주식회사 무신사', position: 'Site Reliability Engineer', startDate: '2022-09', highlights: ['…'] },
    { name: '주식회사 여기어때컴퍼니', position: 'Data Engineer', startDate: '2021-06', endDate: '2022-09' },
  ],
  skills: [{ name: 'Kubernetes' }],
};

test("the package's sample resume is valid with 1 work entry", () => {
  const r = run(sample, '1');
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /valid, 1 work entries/);
});

test('a small valid resume with 2 work entries', () => {
  const r = run(write('valid.json', valid), '2');
  assert.equal(r.status, 0, r.out);
});

test('a different work count fails', () => {
  const r = run(write('valid.json', valid), '3');
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /expected 3 work entries, found 2/);
});

test("an invalid resume fails with the validator's errors", () => {
  const invalid = { basics: { name: 42 }, work: [{ name: 'x', startDate: 'last spring' }] };
  const r = run(write('invalid.json', invalid), '1');
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /not a valid JSON Resume \(2 error\(s\)\)/);
  assert.match(r.out, /instance\.basics\.name is not of a type\(s\) string/);
  assert.match(r.out, /instance\.work\[0\]\.startDate does not match pattern/);
});

test('work that is not a list fails', () => {
  const r = run(write('work-object.json', { work: { name: 'x' } }), '1');
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /instance\.work is not of a type\(s\) array/);
});

test('not JSON, and wrong usage', () => {
  assert.equal(run(write('broken.json', '{"work": ['), '0').status, 1);
  assert.equal(run(write('array.json', '[]'), '0').status, 1);
  assert.equal(run(sample).status, 2);
  assert.equal(run(sample, 'two').status, 2);
});
