/**
 * License records in the case's partition (pk CASE#<caseId>, sk LICENSE#<licenseId>), so the case
 * view reads them in its one Query and a license id alone finds its record (the case id is inside
 * it). Records are written once, never updated: a license is immutable once issued.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { caseIdOfLicense } from '#core/licenses/document.ts';
import { type IssuedLicense, IssuedLicenseSchema, type LicenseStore } from '#core/licenses/ports.ts';
import { config } from '../config.ts';
import { keys } from './keys.ts';
import { isConditionFailure, queryPartition, send } from './send.ts';

const table = () => config().TABLE_NAME;

const FIELDS = Object.keys(IssuedLicenseSchema.shape) as (keyof IssuedLicense)[];
const same = (a: IssuedLicense, b: IssuedLicense) => FIELDS.every((f) => a[f] === b[f]);

export const licenseStore: LicenseStore = {
  async put(license) {
    try {
      await send(
        new PutCommand({
          TableName: table(),
          Item: { ...keys.license(license.caseId, license.licenseId), type: 'license', ...license },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, stored: license };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // Identical: our own write, retried by the SDK after its response was lost — a success.
      // Different: another attempt recorded this license first; the caller reconciles.
      const stored = await this.get(license.licenseId);
      if (!stored) throw err;
      return { created: same(stored, license), stored };
    }
  },

  async listForCase(caseId) {
    const items = await queryPartition(keys.casePk(caseId), { skPrefix: 'LICENSE#', consistent: true });
    return items.map((i) => IssuedLicenseSchema.parse(i));
  },

  async get(licenseId) {
    const caseId = caseIdOfLicense(licenseId);
    if (!caseId) return undefined;
    const r = await send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: table(), Key: keys.license(caseId, licenseId), ConsistentRead: true }),
    );
    return r.Item ? IssuedLicenseSchema.parse(r.Item) : undefined;
  },
};
