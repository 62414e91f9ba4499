// (f) The write API with a token: the refused mutations carry their codes
// and change nothing; the accepted one changes the headline and its version.
// Restores the headline at the end.
import { GraphQLClient } from 'graphql-request';
import { PersonVersionDocument, UpdateHeadlineDocument } from '../gql/graphql';
import { type Check, PORTFOLIO_URL, SLUG, equal, expectErrors, present } from '../lib';

export const updateHeadline: Check = {
  name: 'mutation with a token (UNAUTHENTICATED, BAD_USER_INPUT, CONFLICT, success)',
  async run(ctx) {
    const token = present(process.env.PORTFOLIO_TOKEN, 'PORTFOLIO_TOKEN (a token of dahye-ahn)');
    const authed = new GraphQLClient(PORTFOLIO_URL, { headers: { authorization: `Bearer ${token}` } });
    const before = present((await ctx.client.request(PersonVersionDocument, { slug: SLUG })).person, 'person');

    const anonymous = await expectErrors(
      () => ctx.client.request(UpdateHeadlineDocument, { input: { id: before.id, headline: 'x' } }),
      'updatePerson without a token',
    );
    equal(anonymous.map((e) => e.extensions?.code), ['UNAUTHENTICATED'], 'without a token');

    const empty = await expectErrors(
      () => authed.request(UpdateHeadlineDocument, { input: { id: before.id, headline: '   ' } }),
      'updatePerson with an empty headline',
    );
    equal(empty.map((e) => [e.extensions?.code, e.extensions?.field]), [['BAD_USER_INPUT', 'input.headline']], 'empty headline');

    const changed = await authed.request(UpdateHeadlineDocument, {
      input: { id: before.id, headline: 'Platform Engineer', expectedVersion: before.version },
    });
    equal(changed.updatePerson.person.headline, 'Platform Engineer', 'the new headline');
    equal(changed.updatePerson.person.version, before.version + 1, 'the new version');

    const stale = await expectErrors(
      () => authed.request(UpdateHeadlineDocument, { input: { id: before.id, headline: 'y', expectedVersion: before.version } }),
      'updatePerson with a stale expectedVersion',
    );
    equal(stale.map((e) => [e.extensions?.code, e.extensions?.currentVersion]), [['CONFLICT', before.version + 1]], 'stale version');

    const after = present((await ctx.client.request(PersonVersionDocument, { slug: SLUG })).person, 'person');
    equal(after.headline, 'Platform Engineer', 'the refused mutations changed nothing');
    await authed.request(UpdateHeadlineDocument, { input: { id: before.id, headline: before.headline } });
    return `anonymous → UNAUTHENTICATED; empty → BAD_USER_INPUT input.headline; version ${before.version} → ${before.version + 1}; stale → CONFLICT`;
  },
};
