// (e) Invalid requests answer with machine-readable error codes.
import { RoleByIdDocument, SkillsPageDocument } from '../gql/graphql';
import { type Check, SLUG, equal, expectErrors } from '../lib';

export const errorCodes: Check = {
  name: 'error codes (BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED)',
  async run(ctx) {
    // `first` over 100.
    const tooMany = await expectErrors(
      () => ctx.client.request(SkillsPageDocument, { slug: SLUG, first: 101 }),
      'skills(first: 101)',
    );
    equal(
      tooMany.map((e) => [e.extensions?.code, e.extensions?.field, e.path]),
      [['BAD_USER_INPUT', 'first', ['person', 'skills']]],
      'skills(first: 101) errors: [code, field, path]',
    );

    // An id that is no id.
    const badId = await expectErrors(
      () => ctx.client.request(RoleByIdDocument, { id: 'not-an-id' }),
      'node(id: "not-an-id")',
    );
    equal(
      badId.map((e) => [e.extensions?.code, e.extensions?.field]),
      [['BAD_USER_INPUT', 'id']],
      'node(id: "not-an-id") errors: [code, field]',
    );

    // A query the schema rejects (sent as a string: codegen would refuse it).
    const invalid = await expectErrors(
      () => ctx.client.request(`query { person(slug: "${SLUG}") { noSuchField } }`),
      'an unknown field',
    );
    equal(
      invalid.map((e) => e.extensions?.code),
      ['GRAPHQL_VALIDATION_FAILED'],
      'unknown field error codes',
    );
    return `skills(first: 101) → ${tooMany[0]?.extensions?.code} (field "${tooMany[0]?.extensions?.field}"); bad id → ${badId[0]?.extensions?.code}; unknown field → ${invalid[0]?.extensions?.code}`;
  },
};
