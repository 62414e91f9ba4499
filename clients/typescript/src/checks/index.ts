// Every check, in the order they run. To add one (a mutation, say): write
// operations/<name>.graphql, run `npm run codegen`, add src/checks/<name>.ts
// exporting a `Check` that uses the generated `<Name>Document`, and list it
// here. A check that changes data should undo its change, or run last.
import type { Check } from '../lib';
import { errorCodes } from './errors';
import { portfolioPage } from './portfolio-page';
import { roleById } from './role-by-id';
import { skillGraph } from './skill-graph';
import { skillsPagination } from './skills-pagination';
import { updateHeadline } from './update-headline';

export const checks: Check[] = [portfolioPage, roleById, skillGraph, skillsPagination, errorCodes, updateHeadline];
