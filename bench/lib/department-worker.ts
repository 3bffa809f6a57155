/**
 * A department worker on the push path (issue 14): a small HTTP receiver on 127.0.0.1 subscribed
 * to the department's task events (POST /v1/departments/{id}/webhooks), verifying each delivery
 * with the reference `standardwebhooks` library, then deciding the task through the API — no inbox
 * polls. Duplicates (at-least-once delivery) are dropped by task id.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Api } from './http.ts';
import { bearer } from './portal.ts';

export interface TaskOpened {
  readonly taskId: string;
  readonly caseId: string;
  readonly kind: string;
}

export interface PushWorker {
  /** Verified deliveries refused (should stay 0). */
  readonly refused: () => number;
  stop(): Promise<void>;
}

/**
 * Subscribes `departmentId` and calls `decide` once per opened task (of the cases `wanted` accepts;
 * the others — another run's — are acknowledged and ignored).
 */
export async function startPushWorker(
  api: Api,
  departmentId: string,
  token: string,
  decide: (task: TaskOpened) => Promise<void>,
): Promise<PushWorker> {
  let verifier: Webhook | undefined;
  let refused = 0;
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let event: { type?: string; taskId?: string; caseId?: string; kind?: string };
      try {
        event = verifier!.verify(
          Buffer.concat(chunks).toString('utf8'),
          req.headers as Record<string, string>,
        ) as typeof event;
      } catch {
        refused++;
        res.writeHead(400).end();
        return;
      }
      // Answer at once (receivers must be fast), then work.
      res.writeHead(204).end();
      if (event.type !== 'task.opened' || !event.taskId || seen.has(event.taskId)) return;
      seen.add(event.taskId);
      void decide({ taskId: event.taskId, caseId: event.caseId ?? '', kind: event.kind ?? '' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const created = await api.expect(201, 'POST', `/v1/departments/${departmentId}/webhooks`, {
    headers: bearer(token),
    body: { url: `http://127.0.0.1:${port}/tasks`, description: 'bench worker', events: ['task.opened'] },
  });
  verifier = new Webhook(created.body.secret as string);
  const webhookId = created.body.id as string;
  return {
    refused: () => refused,
    async stop() {
      await api.call('DELETE', `/v1/departments/${departmentId}/webhooks/${webhookId}`, {
        headers: bearer(token),
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
