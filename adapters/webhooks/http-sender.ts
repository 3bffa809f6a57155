/**
 * One webhook POST over node:http(s), built for untrusted destinations:
 *  - the address actually connected to is checked (a custom `lookup` resolves the name and refuses
 *    the connection if any address is not allowed), so DNS rebinding between registration and
 *    delivery does not reach internal hosts; IP-literal hosts are checked before connecting;
 *  - redirects are never followed (a 3xx is a failed try);
 *  - one time budget for the whole try (connect, send, response), and at most 64 KB of the
 *    response body is read;
 *  - no connection reuse: each try opens its own connection.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { SendResult, WebhookSender } from '#core/webhooks/ports.ts';
import { checkWebhookUrl, isAllowedAddress } from '#core/webhooks/url-policy.ts';

const MAX_RESPONSE_BYTES = 64 * 1024;

class RefusedAddressError extends Error {
  readonly code = 'EADDRREFUSED';
}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
      const usable = addresses.filter((a) => wanted === 0 || a.family === wanted);
      const refused = usable.find((a) => !isAllowedAddress(a.address, allowPrivate));
      if (refused || usable.length === 0)
        return callback(
          new RefusedAddressError(`${hostname} resolves to an address webhooks may not reach`),
          '',
          0,
        );
      if (options.all) return callback(null, usable);
      return callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}

export function createHttpSender(options: { allowPrivate: boolean; timeoutMs: number }): WebhookSender {
  const lookup = guardedLookup(options.allowPrivate);
  return {
    post(rawUrl, headers, body): Promise<SendResult> {
      const check = checkWebhookUrl(rawUrl, { allowPrivate: options.allowPrivate });
      if (check.problems.length || !check.url)
        return Promise.resolve({ ok: false, error: `refused: ${check.problems[0]?.code ?? 'invalid_url'}` });
      const url = check.url;
      const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise<SendResult>((resolve) => {
        let settled = false;
        const finish = (result: SendResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          req.destroy();
          resolve(result);
        };
        const req = request(
          url,
          {
            method: 'POST',
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
            agent: false,
            // Host names are resolved (and checked) here; TLS still verifies the certificate
            // against the name in the URL.
            lookup,
          },
          (res: IncomingMessage) => {
            const status = res.statusCode ?? 0;
            let read = 0;
            res.on('data', (chunk: Buffer) => {
              read += chunk.length;
              if (read > MAX_RESPONSE_BYTES) res.destroy();
            });
            const done = () =>
              finish(
                status >= 200 && status < 300
                  ? { ok: true, status }
                  : {
                      ok: false,
                      status,
                      error: status >= 300 && status < 400 ? `redirect_${status}` : `http_${status}`,
                    },
              );
            res.on('end', done);
            res.on('close', done);
            res.on('error', done);
          },
        );
        const timer = setTimeout(
          () => finish({ ok: false, error: `timeout_${options.timeoutMs}ms` }),
          options.timeoutMs,
        );
        req.on('error', (err: NodeJS.ErrnoException) =>
          finish({
            ok: false,
            error:
              err instanceof RefusedAddressError
                ? 'refused: address_not_allowed'
                : `network_${err.code ?? 'error'}`,
          }),
        );
        req.end(body);
      });
    },
  };
}
