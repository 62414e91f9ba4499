// (b) One role by its global id equals the role on the portfolio page.
import { RoleByIdDocument } from '../gql/graphql';
import { type Check, check, equal, present } from '../lib';

export const roleById: Check = {
  name: 'node(id:) on Role',
  async run(ctx) {
    const roles = (await ctx.person()).roles.nodes;
    for (const fromPage of roles) {
      const { node } = await ctx.client.request(RoleByIdDocument, { id: fromPage.id });
      const found = present(node, `node(id: "${fromPage.id}")`);
      check(found.__typename === 'Role', `node(id: "${fromPage.id}") is a ${found.__typename}, not a Role`);
      // Narrowed to the Role branch: the same fragment as on the page.
      const { __typename, ...role } = found;
      equal(role, fromPage, `node(id: "${fromPage.id}") compared with the page's role`);
    }
    return `${roles.length} roles fetched by id, identical to the page`;
  },
};
