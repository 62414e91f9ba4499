// (c) The skill graph: skills with the achievements that used them and the
// roles they were used in, consistent with the portfolio page.
import { SkillGraphDocument } from '../gql/graphql';
import { type Check, SLUG, check, equal, present } from '../lib';

export const skillGraph: Check = {
  name: 'skill graph (skills → achievements → roles)',
  async run(ctx) {
    const data = await ctx.client.request(SkillGraphDocument, { slug: SLUG });
    const skills = present(data.person, 'person').skills;
    const page = await ctx.person();
    equal(
      skills.nodes.map((s) => s.id),
      page.skills.nodes.map((s) => s.id),
      'the skill graph lists the same skills, in the same order, as the page',
    );

    const roleOrder = page.roles.nodes.map((r) => r.id);
    // achievement id → role id, and the (skill, achievement) pairs, from the page.
    const pagePairs = new Set<string>();
    for (const role of page.roles.nodes) {
      for (const a of role.achievements.nodes) {
        for (const s of a.skills) pagePairs.add(`${s.id} ${a.id}`);
      }
    }

    const graphPairs = new Set<string>();
    let used = 0;
    for (const skill of skills.nodes) {
      equal(skill.achievements.totalCount, skill.achievements.nodes.length, `${skill.name}: achievements.totalCount`);
      if (skill.achievements.totalCount > 0) used += 1;
      const viaAchievements = new Set<string>();
      for (const a of skill.achievements.nodes) {
        check(
          (a.role === null) !== (a.activity === null),
          `${skill.name}: achievement "${a.title}" belongs to exactly one of a role or an activity`,
        );
        if (a.role) {
          viaAchievements.add(a.role.id);
          graphPairs.add(`${skill.id} ${a.id}`);
        }
      }
      // Skill.roles: the roles of its achievements, each once, current first then newest.
      equal(
        skill.roles.map((r) => r.id),
        roleOrder.filter((id) => viaAchievements.has(id)),
        `${skill.name}: roles (those of its achievements, in role order)`,
      );
    }
    equal(
      [...graphPairs].sort(),
      [...pagePairs].sort(),
      'skill → role achievement pairs agree with achievement → skills on the page',
    );
    check(used > 0, 'at least one skill was used by an achievement');
    return `${skills.totalCount} skills, ${used} used by achievements, ${graphPairs.size} skill-achievement links agree both ways`;
  },
};
