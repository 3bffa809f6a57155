/**
 * The local identity provider's accounts: people and enterprises of the seeded shared data
 * (local/setup/seed-shared-data.ts), so that prefill finds their records. Each account is a person
 * signing in, either as themself or in the capacity of an organisation (法人登录) — as its legal
 * representative (the registry says so) or as someone it authorised (an employee the enterprise
 * named in the provider, as 统一身份认证 platforms let an enterprise do).
 */
import { createHash } from 'node:crypto';
import type { AssuranceLevel, OrganisationRole } from '#core/identity/applicant.ts';
import { SEEDED_ENTERPRISES, SEEDED_PERSONS } from '#local/setup/seed-shared-data.ts';

export interface DemoApplicant {
  /** Stable id for `npm run applicant-token -- <id>` and `.local/credentials.json`. */
  readonly id: string;
  readonly kind: 'person' | 'organisation';
  /** The person's name, or the organisation's. */
  readonly name: string;
  readonly person: { readonly name: string; readonly idNumber: string };
  readonly organisation?: { readonly uscc: string; readonly name: string; readonly role: OrganisationRole };
  /** How this account usually signs in (the login form lets one choose face verification instead). */
  readonly assurance: AssuranceLevel;
  /** What this applicant demonstrates. */
  readonly demo: string;
}

function seededPerson(name: string) {
  const p = SEEDED_PERSONS.find((s) => s.name === name);
  if (!p) throw new Error(`the seeded shared data has no person named ${name}`);
  return { name: p.name, idNumber: p.idNumber, demo: p.demo };
}

function seededEnterprise(name: string) {
  const e = SEEDED_ENTERPRISES.find((s) => s.name === name);
  if (!e) throw new Error(`the seeded shared data has no enterprise named ${name}`);
  return e;
}

const person = (id: string, name: string, assurance: AssuranceLevel = 2): DemoApplicant => {
  const p = seededPerson(name);
  return {
    id,
    kind: 'person',
    name: p.name,
    person: { name: p.name, idNumber: p.idNumber },
    assurance,
    demo: p.demo,
  };
};

/** The enterprise acting through `personName`: its legal representative per the registry, unless `authorised`. */
const organisation = (
  id: string,
  enterpriseName: string,
  personName: string,
  authorised = false,
): DemoApplicant => {
  const e = seededEnterprise(enterpriseName);
  const p = seededPerson(personName);
  const representative = e.record.legalRepresentativeIdNumber === p.idNumber;
  if (!authorised && !representative)
    throw new Error(`${personName} is not the legal representative of ${enterpriseName} in the seeded data`);
  return {
    id,
    kind: 'organisation',
    name: e.name,
    person: { name: p.name, idNumber: p.idNumber },
    organisation: {
      uscc: e.uscc,
      name: e.name,
      role: representative ? 'legal_representative' : 'authorised',
    },
    assurance: 2,
    demo: e.demo,
  };
};

export const DEMO_APPLICANTS: readonly DemoApplicant[] = [
  person('chen-jing', '陈静'),
  person('liu-yang', '刘洋'),
  // A property transfer is often asked at face-verified assurance: she signs in that way.
  person('zhao-min', '赵敏', 3),
  person('sun-lixin', '孙立新'),
  person('zhou-ting', '周婷'),
  organisation('qingguoxiang-catering', '常州青果巷餐饮管理有限公司', '刘洋'),
  organisation('yunhe-digital', '常州运河数字科技有限公司', '陈静'),
  // 周婷 works for the machinery company, which named her in the provider as authorised to act for it.
  organisation('xinbei-machinery', '常州新北精密机械股份有限公司', '周婷', true),
];

export function demoApplicant(id: string): DemoApplicant {
  const a = DEMO_APPLICANTS.find((d) => d.id === id);
  if (!a)
    throw new Error(`no demo applicant "${id}" (known: ${DEMO_APPLICANTS.map((d) => d.id).join(', ')})`);
  return a;
}

/**
 * The account's `sub`: stable across restarts and pseudonymous — derived from the city and the
 * account id, never from the ID number, so it reveals nothing and joins nothing across cities.
 */
export function subjectOf(city: string, applicant: DemoApplicant): string {
  const h = createHash('sha256').update(`yijianshi-local-idp\n${city}\n${applicant.id}`).digest('base64url');
  return `u-${h.slice(0, 22)}`;
}
