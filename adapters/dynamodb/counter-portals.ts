/**
 * Whether a portal is registered as a counter (窗口): its officers verify applicants in person
 * (ID card checked at the desk) and it may submit for them without an OpenID token. The flag is
 * on the portal profile (PORTAL#<portalId> / PORTAL), set by `npm run credentials -- issue-portal
 * --counter` or the local demo counter portal — never by the portal itself.
 */

import { config } from '../config.ts';
import { GetCommand } from './commands.ts';
import { keys } from './keys.ts';
import { send } from './send.ts';

export async function isCounterPortal(portalId: string): Promise<boolean> {
  const r = await send<{ Item?: Record<string, unknown> }>(
    new GetCommand({
      TableName: config().TABLE_NAME,
      Key: keys.portal(portalId),
      ProjectionExpression: '#counter, #status',
      ExpressionAttributeNames: { '#counter': 'counter', '#status': 'status' },
    }),
  );
  return r.Item?.counter === true && r.Item.status === 'active';
}
