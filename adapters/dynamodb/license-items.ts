/**
 * A license's two items, as written (no schema here: case-repository.ts writes them with the
 * case's delivery and should not carry the license schema into every function that moves a case).
 */
import type { IssuedLicense } from '#core/licenses/ports.ts';
import { config } from '../config.ts';
import type { TransactItems } from './commands.ts';
import { keys } from './keys.ts';

const table = () => config().TABLE_NAME;

/**
 * The two license items' keys (the access-pattern table in keys.ts still shows the former single
 * item, CASE#<caseId> / LICENSE#<licenseId>, and should list these two).
 */
export const licenseKeys = {
  ofService: (caseId: string, serviceId: string) => ({ pk: keys.casePk(caseId), sk: `LICENSE#${serviceId}` }),
  byId: (licenseId: string) => ({ pk: `LICENSE#${licenseId}`, sk: 'LICENSE' }),
};

/**
 * The two items of a license: by case + service (one per service) and by id (verification). Also
 * written by the case's delivery, with it (case-repository.ts, TransitionEffects.recordLicenses).
 */
export const licenseItems = (license: IssuedLicense): TransactItems => [
  {
    Put: {
      TableName: table(),
      Item: { ...licenseKeys.ofService(license.caseId, license.serviceId), type: 'license', ...license },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
  {
    Put: {
      TableName: table(),
      Item: { ...licenseKeys.byId(license.licenseId), type: 'licenseById', ...license },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
];
