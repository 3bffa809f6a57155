/**
 * An SQS endpoint on this machine for the one queue the product sends to (the webhook deliveries):
 * enough of SQS's JSON protocol (POST /, X-Amz-Target AmazonSQS.SendMessage / SendMessageBatch)
 * for the real SQS client of adapters/webhooks/sqs-queue.ts, pointed here by AWS_ENDPOINT_URL_SQS.
 * Each message accepted is handed to `receive` at once — what SQS → the delivery function's event
 * source mapping does in AWS. Nothing is kept: messages not yet delivered when the process stops
 * are lost, as the local delivery timers are (local/webhook-dispatcher.ts).
 *
 * Answers as SQS does, MD5 of each body included (the SDK checks it); an unknown queue is
 * AWS.SimpleQueueService.NonExistentQueue, any other operation is refused.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SqsEndpoint {
  /** The base URL (AWS_ENDPOINT_URL_SQS). */
  readonly url: string;
  /** The queue's URL, as SQS names it (WEBHOOK_QUEUE_URL). */
  readonly queueUrl: string;
  close(): Promise<void>;
}

/** SQS allows at most 10 entries per batch and 256 KiB per message. */
const MAX_BATCH = 10;
const MAX_BODY_BYTES = 256 * 1024;

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function refuse(res: ServerResponse, status: number, queryCode: string, type: string, message: string) {
  answer(
    res,
    status,
    { __type: `com.amazonaws.sqs#${type}`, message },
    {
      'x-amzn-query-error': `${queryCode};Sender`,
    },
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startSqsEndpoint(options: {
  readonly queueName: string;
  /** The bodies of the messages just accepted, in order. */
  receive(bodies: readonly string[]): void;
}): Promise<SqsEndpoint> {
  let queueUrl = '';
  const server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse((await readBody(req)) || '{}') as {
        QueueUrl?: string;
        MessageBody?: string;
        Entries?: { Id?: string; MessageBody?: string }[];
      };
      if (input.QueueUrl !== queueUrl)
        return refuse(
          res,
          400,
          'AWS.SimpleQueueService.NonExistentQueue',
          'QueueDoesNotExist',
          'The specified queue does not exist.',
        );
      const tooBig = (b: string | undefined) => !b || Buffer.byteLength(b) > MAX_BODY_BYTES;
      if (target === 'AmazonSQS.SendMessage') {
        if (tooBig(input.MessageBody))
          return refuse(res, 400, 'InvalidParameterValue', 'InvalidParameterValue', 'Bad message body.');
        options.receive([input.MessageBody!]);
        return answer(res, 200, { MessageId: randomUUID(), MD5OfMessageBody: md5(input.MessageBody!) });
      }
      if (target === 'AmazonSQS.SendMessageBatch') {
        const entries = input.Entries ?? [];
        if (!entries.length || entries.length > MAX_BATCH)
          return refuse(
            res,
            400,
            'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
            'TooManyEntriesInBatchRequest',
            `A batch holds 1 to ${MAX_BATCH} entries.`,
          );
        const ok = entries.filter((e) => e.Id && !tooBig(e.MessageBody));
        const failed = entries.filter((e) => !ok.includes(e));
        options.receive(ok.map((e) => e.MessageBody!));
        return answer(res, 200, {
          Successful: ok.map((e) => ({
            Id: e.Id,
            MessageId: randomUUID(),
            MD5OfMessageBody: md5(e.MessageBody!),
          })),
          Failed: failed.map((e) => ({
            Id: e.Id ?? '',
            SenderFault: true,
            Code: 'InvalidParameterValue',
            Message: 'Bad message body.',
          })),
        });
      }
      return refuse(
        res,
        400,
        'InvalidAction',
        'InvalidAction',
        `${target || 'This action'} is not served here.`,
      );
    })().catch((err: Error) => answer(res, 500, { __type: 'InternalError', message: err.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  queueUrl = `${url}/000000000000/${options.queueName}`;
  return {
    url,
    queueUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
