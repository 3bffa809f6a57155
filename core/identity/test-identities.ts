/**
 * Identities for the identity core's tests: valid synthetic ID numbers and credit codes (check
 * characters computed) and fast-check arbitraries of them. Not used by production code.
 */
import fc from 'fast-check';
import { idNumberCheckCharacter, usccCheckCharacter } from '#core/shared/identifiers.ts';
import type { ApplicantIdentity, AssuranceLevel } from './applicant.ts';

export const idNumberOf = (first17: string) => first17 + idNumberCheckCharacter(first17);
export const usccOf = (first17: string) => first17 + usccCheckCharacter(first17);

export const ID_A = idNumberOf('32040219920315462');
export const ID_B = idNumberOf('32040419900812135');
export const ID_HELPER = idNumberOf('32041119681120284');
export const USCC_A = usccOf('9132040' + '2MA27QK3L8');
export const USCC_B = usccOf('9132041' + '1MA2DPX9N4');

export const person = (idNumber: string, name: string, assurance: AssuranceLevel = 2): ApplicantIdentity => ({
  kind: 'person',
  subject: `sub-${idNumber.slice(-6)}`,
  name,
  idNumber,
  assurance,
});

export const organisation = (
  uscc: string,
  name: string,
  actingPerson: { idNumber: string; name: string },
  role: 'legal_representative' | 'authorised' = 'legal_representative',
  assurance: AssuranceLevel = 2,
): ApplicantIdentity => ({
  kind: 'organisation',
  subject: `sub-org-${uscc.slice(-6)}`,
  uscc,
  name,
  actingPerson: { subject: `sub-${actingPerson.idNumber.slice(-6)}`, ...actingPerson },
  role,
  assurance,
});

export const arbitraryIdNumber = fc
  .record({
    region: fc.stringMatching(/^[1-6]\d{5}$/),
    date: fc.date({ min: new Date('1920-01-01'), max: new Date('2025-12-31'), noInvalidDate: true }),
    seq: fc.stringMatching(/^\d{3}$/),
  })
  .map(({ region, date, seq }) =>
    idNumberOf(`${region}${date.toISOString().slice(0, 10).replace(/-/g, '')}${seq}`),
  );

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const arbitraryUscc = fc
  .tuple(
    fc.stringMatching(/^\d{6}$/),
    fc.array(fc.constantFrom(...USCC_CHARS), { minLength: 9, maxLength: 9 }),
  )
  .map(([region, rest]) => usccOf(`91${region}${rest.join('')}`));
