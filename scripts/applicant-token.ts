/**
 * A fresh applicant token from the running local identity provider, through its real sign-in
 * (authorization code + PKCE):
 *
 *   npm run applicant-token -- <applicant id> [--face] [--json]
 *   npm run applicant-token -- --list
 *
 * The provider is found in .local/credentials.json (`identityProvider`, written by `npm start`), or
 * given with `--issuer http://127.0.0.1:<port>` (then `--audience`, default urn:yijianshi:<CITY>:api,
 * `--client-id`, default yijianshi-portal, and `--redirect-uri`, default <issuer>/signed-in).
 * The token goes to stdout; notes to stderr. Exit 2 on a usage error, 1 on any other failure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_APPLICANTS } from '#local/identity/demo-applicants.ts';
import { signInWithPkce } from '#local/identity/token-client.ts';
import { apiAudience, PORTAL_CLIENT_ID, SIGNED_IN_PATH } from '#local/identity/well-known.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `Usage: npm run applicant-token -- <applicant id> [--face] [--json]
       npm run applicant-token -- --list

Options:
  --face                 sign in with face verification (assurance level 3)
  --json                 print { token, expiresIn, applicant } instead of the bare token
  --list                 the demo applicants
  --issuer <url>         the identity provider (default: from .local/credentials.json)
  --audience <urn>       the API's audience (default: urn:yijianshi:<CITY or changzhou>:api)
  --client-id <id>       default ${PORTAL_CLIENT_ID}
  --redirect-uri <url>   default <issuer>${SIGNED_IN_PATH}
`;

interface Target {
  issuer: string;
  audience: string;
  clientId: string;
  redirectUri: string;
}

function targetFrom(values: Readonly<Record<string, unknown>>): Target | undefined {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const localDir = process.env.LOCAL_DIR ?? join(repoRoot, '.local');
  const file = join(localDir, 'credentials.json');
  const saved =
    existsSync(file) &&
    (JSON.parse(readFileSync(file, 'utf8')) as { identityProvider?: Partial<Target> }).identityProvider;
  const issuer = str('issuer') ?? (saved ? saved.issuer : undefined);
  if (!issuer) return undefined;
  const fromFile = saved && saved.issuer === issuer ? saved : {};
  return {
    issuer,
    audience: str('audience') ?? fromFile.audience ?? apiAudience(process.env.CITY ?? 'changzhou'),
    clientId: str('client-id') ?? fromFile.clientId ?? PORTAL_CLIENT_ID,
    redirectUri: str('redirect-uri') ?? fromFile.redirectUri ?? `${issuer}${SIGNED_IN_PATH}`,
  };
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        face: { type: 'boolean' },
        json: { type: 'boolean' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        issuer: { type: 'string' },
        audience: { type: 'string' },
        'client-id': { type: 'string' },
        'redirect-uri': { type: 'string' },
      },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.list) {
    for (const a of DEMO_APPLICANTS)
      process.stdout.write(`${a.id.padEnd(24)} ${a.kind === 'person' ? '个人' : '企业'}  ${a.name}\n`);
    return 0;
  }
  const [applicantId, ...rest] = positionals;
  if (!applicantId || rest.length > 0) {
    process.stderr.write(HELP);
    return 2;
  }
  const applicant = DEMO_APPLICANTS.find((a) => a.id === applicantId);
  if (!applicant) {
    process.stderr.write(
      `No demo applicant "${applicantId}". Known: ${DEMO_APPLICANTS.map((a) => a.id).join(', ')}\n`,
    );
    return 2;
  }
  const target = targetFrom(values);
  if (!target) {
    process.stderr.write(
      'No identity provider known: start the stack (`npm start`) or pass --issuer http://127.0.0.1:<port>.\n',
    );
    return 2;
  }
  const result = await signInWithPkce({
    ...target,
    resource: target.audience,
    applicantId,
    ...(values.face ? { assurance: 3 as const } : {}),
  });
  process.stderr.write(
    `• ${applicant.name} (${applicant.id}) signed in at ${target.issuer}; valid ${result.expiresIn} s\n`,
  );
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ token: result.accessToken, expiresIn: result.expiresIn, applicant: applicant.id }, null, 2)}\n`
      : `${result.accessToken}\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`applicant-token: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
