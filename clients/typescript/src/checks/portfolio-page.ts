// (a) The portfolio page: person, roles with durations, achievements with
// metrics and skills, skills, activities.
import { type Check, SLUG, check, equal } from '../lib';

/** Months from `start` ("YYYY-MM") through this month (UTC), both counted. */
function monthsThroughNow(start: string): number {
  const [year, month] = start.split('-').map(Number);
  const now = new Date();
  return (now.getUTCFullYear() - (year ?? 0)) * 12 + (now.getUTCMonth() + 1 - (month ?? 0)) + 1;
}

export const portfolioPage: Check = {
  name: 'portfolio page (person, roles, achievements, skills, activities)',
  async run(ctx) {
    const person = await ctx.person();
    equal(person.slug, SLUG, 'slug');
    equal(person.name, '안다혜', 'name');

    const roles = person.roles.nodes;
    equal(person.roles.totalCount, 2, 'roles.totalCount');
    equal(
      roles.map((r) => [r.organization, r.start, r.end, r.current]),
      [
        ['주식회사 무신사', '2022-09', null, true],
        ['주식회사 여기어때컴퍼니', '2021-06', '2022-09', false],
      ],
      'roles in order (current first): [organization, start, end, current]',
    );
    const [current, previous] = roles;
    check(current && previous, 'two roles');

    equal(current.achievements.totalCount, 6, `${current.organization} achievements.totalCount`);
    equal(current.achievements.nodes.length, 6, `${current.organization} achievements.nodes.length`);
    equal(previous.achievements.totalCount, 4, `${previous.organization} achievements.totalCount`);
    equal(previous.achievements.nodes.length, 4, `${previous.organization} achievements.nodes.length`);

    // 2021-06 .. 2022-09 counts both ends: 16 months.
    equal(previous.durationMonths, 16, `${previous.organization} durationMonths`);
    equal(previous.duration, { years: 1, months: 4, totalMonths: 16 }, `${previous.organization} duration`);
    // A current role runs through this month.
    const months = monthsThroughNow(current.start);
    equal(current.durationMonths, months, `${current.organization} durationMonths (through this month)`);
    equal(
      current.duration,
      { years: Math.floor(months / 12), months: months % 12, totalMonths: months },
      `${current.organization} duration`,
    );

    for (const role of roles) {
      for (const a of role.achievements.nodes) {
        check(a.title.length > 0, `an achievement of ${role.organization} has an empty title`);
        for (const m of a.metrics) {
          check(m.display.length > 0, `a metric of "${a.title}" has an empty display`);
        }
      }
    }
    const first = current.achievements.nodes[0];
    check(first, 'the current role has a first achievement');
    equal(
      first.metrics.map((m) => [m.value, m.unit, m.display]),
      [
        [0.05, 'x', '1/20배'],
        [21500000, 'requests/min', '분당 최대 2,150만 번'],
      ],
      `metrics of "${first.title}"`,
    );
    const withSkills = roles.flatMap((r) => r.achievements.nodes).filter((a) => a.skills.length > 0);
    check(withSkills.length > 0, 'at least one achievement lists its skills');

    equal(person.skills.totalCount, 26, 'skills.totalCount');
    equal(person.skills.nodes.length, 26, 'skills.nodes.length');
    const featured = person.skills.nodes.filter((s) => s.featured);
    equal(featured.length, 11, 'featured skills');
    equal(
      person.skills.nodes.slice(0, featured.length).every((s) => s.featured),
      true,
      'featured skills come first',
    );
    equal(person.activities.totalCount, 8, 'activities.totalCount');
    equal(person.activities.nodes.length, 8, 'activities.nodes.length');

    return `${person.name}: ${roles.map((r) => `${r.organization} ${r.start}..${r.end ?? 'now'} (${r.duration.years}y ${r.duration.months}m, ${r.achievements.totalCount} achievements)`).join('; ')}; ${person.skills.totalCount} skills (${featured.length} featured); ${person.activities.totalCount} activities`;
  },
};
