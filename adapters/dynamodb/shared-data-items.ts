/**
 * Item shapes of the shared data (共享数据) in the single table, and their builders: registry
 * records, e-licenses and materials from earlier cases, each under its holder's hashed identifier
 * (keys.shared). The identifier never appears in a key; the record may hold it, as the government's
 * registry does.
 *
 * | what                                     | pk                                      | sk                      |
 * |------------------------------------------|-----------------------------------------|-------------------------|
 * | population registry record (a person)    | SHARED#population#<sha256(idNumber)>    | RECORD                  |
 * | legal-person registry record             | SHARED#legalPerson#<sha256(uscc)>       | RECORD                  |
 * | e-licenses held (person or organisation) | SHARED#license#<sha256(identifier)>     | LICENSE#<licenseType>   |
 * | files from the holder's earlier cases    | SHARED#earlierCase#<sha256(identifier)> | MATERIAL#<materialType> |
 *
 * Free of side effects (no client, config or logger), so that local seeding can import it before
 * the environment the handlers read is in place.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { EarlierMaterial, HeldLicense } from '#core/catalog/prefill.ts';
import { keys } from './keys.ts';

export type SharedSource = 'population' | 'legalPerson' | 'license' | 'earlierCase';

/** The only form in which an identifier reaches a key. */
export const hashIdentifier = (identifier: string) => createHash('sha256').update(identifier).digest('hex');

export const pkOf = (source: SharedSource, identifier: string) =>
  keys.shared(source, hashIdentifier(identifier));

const date = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
const AttributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const RecordItem = z.object({
  type: z.literal('sharedRecord'),
  source: z.enum(['population', 'legalPerson']),
  attributes: AttributesSchema,
  updatedAt: z.string(),
});

export const LicenseItem = z.object({
  type: z.literal('eLicense'),
  licenseId: z.string().check(z.minLength(1)),
  licenseType: z.string().check(z.minLength(1)),
  number: z.string().check(z.minLength(1)),
  issuer: z.string().check(z.minLength(1)),
  issuedAt: date,
  validUntil: z.optional(date),
  attributes: z._default(AttributesSchema, {}),
});

export const EarlierMaterialItem = z.object({
  type: z.literal('earlierMaterial'),
  materialType: z.string().check(z.minLength(1)),
  reference: z.string().check(z.minLength(1)),
  submittedAt: z.string(),
});

// ---- item builders (the seeding and any feeding job write exactly these shapes) ----

export function registryRecordItem(
  source: 'population' | 'legalPerson',
  identifier: string,
  attributes: z.input<typeof AttributesSchema>,
  updatedAt = new Date().toISOString(),
): Record<string, unknown> {
  return {
    pk: pkOf(source, identifier),
    sk: 'RECORD',
    ...RecordItem.parse({ type: 'sharedRecord', source, attributes, updatedAt }),
  };
}

export function eLicenseItem(holder: string, license: HeldLicense): Record<string, unknown> {
  return {
    pk: pkOf('license', holder),
    sk: `LICENSE#${license.licenseType}`,
    ...LicenseItem.parse({ type: 'eLicense', ...license }),
  };
}

export function earlierMaterialItem(holder: string, material: EarlierMaterial): Record<string, unknown> {
  return {
    pk: pkOf('earlierCase', holder),
    sk: `MATERIAL#${material.materialType}`,
    ...EarlierMaterialItem.parse({ type: 'earlierMaterial', ...material }),
  };
}
