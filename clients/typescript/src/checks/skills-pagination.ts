// (d) A connection walked page by page to its end.
import { SkillsPageDocument, type SkillsPageQuery } from '../gql/graphql';
import { type Check, SLUG, check, equal, present } from '../lib';

const PAGE_SIZE = 5;

export const skillsPagination: Check = {
  name: `person.skills walked ${PAGE_SIZE} at a time`,
  async run(ctx) {
    const ids: string[] = [];
    const names: string[] = [];
    const sizes: number[] = [];
    let after: string | null = null;
    for (let pages = 0; ; pages += 1) {
      check(pages < 100, 'pagination does not end');
      const data: SkillsPageQuery = await ctx.client.request(SkillsPageDocument, { slug: SLUG, first: PAGE_SIZE, after });
      const skills = present(data.person, 'person').skills;
      equal(skills.totalCount, 26, `totalCount on page ${pages + 1}`);
      check(skills.edges.length <= PAGE_SIZE, `page ${pages + 1} holds ${skills.edges.length} > ${PAGE_SIZE} skills`);
      sizes.push(skills.edges.length);
      for (const edge of skills.edges) {
        ids.push(edge.node.id);
        names.push(edge.node.name);
      }
      if (!skills.pageInfo.hasNextPage) break;
      const next = present(skills.pageInfo.endCursor, `pageInfo.endCursor on page ${pages + 1}`);
      equal(next, skills.edges.at(-1)?.cursor, `endCursor is the last edge's cursor on page ${pages + 1}`);
      after = next;
    }
    equal(sizes, [5, 5, 5, 5, 5, 1], 'page sizes');
    equal(new Set(ids).size, ids.length, 'distinct skills across pages');
    equal(ids.length, 26, 'skills walked');
    const page = await ctx.person();
    equal(names, page.skills.nodes.map((s) => s.name), 'the pages, joined, equal the unpaged list');
    return `${sizes.length} pages (${sizes.join('+')}), ${ids.length} distinct skills`;
  },
};
