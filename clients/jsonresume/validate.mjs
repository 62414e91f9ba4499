#!/usr/bin/env node
// Validates a JSON Resume document with the official @jsonresume/schema
// package and checks how many `work` entries it has.
//
//   node validate.mjs FILE EXPECTED_WORK_COUNT
//
// Exit 0: valid, with that many work entries. Exit 1: invalid (the
// validator's errors are printed), unreadable, or a different count.
// Exit 2: wrong usage.
import { readFileSync } from 'node:fs';
import resumeSchema from '@jsonresume/schema';

const [file, expected, ...rest] = process.argv.slice(2);
if (!file || expected === undefined || rest.length > 0 || !/^\d+$/.test(expected)) {
  console.error('usage: node validate.mjs FILE EXPECTED_WORK_COUNT');
  process.exit(2);
}
const expectedWork = Number(expected);

function fail(message) {
  console.error(`json resume: ${file}: ${message}`);
  process.exit(1);
}

let doc;
try {
  doc = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  fail(`cannot read it as JSON: ${error.message}`);
}
if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
  fail('the document is not a JSON object');
}

const errors = await new Promise((resolve) => {
  resumeSchema.validate(doc, (errs, valid) => resolve(valid ? [] : (errs ?? [{ stack: 'invalid' }])));
});
if (errors.length > 0) {
  const lines = errors.map((e) => `  ${e.stack ?? `${e.property} ${e.message}`}`);
  fail(`not a valid JSON Resume (${errors.length} error(s)):\n${lines.join('\n')}`);
}

const work = Array.isArray(doc.work) ? doc.work : [];
if (work.length !== expectedWork) {
  fail(`expected ${expectedWork} work entries, found ${work.length}: ${JSON.stringify(work.map((w) => w.name ?? null))}`);
}
console.log(`json resume: ${file}: valid, ${work.length} work entries`);
