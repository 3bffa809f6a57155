/** The runtime configuration every app reads first (served as /config.json; local/web-assets.ts). */
export interface WebConfig {
  readonly apiBase: string;
  /** The web portal's API key: public by nature (it ships to every browser); its usage plan limits it. */
  readonly portalKey: string;
  readonly oidc: { readonly issuer: string; readonly clientId: string; readonly audience: string };
  readonly mode: 'local' | 'deployed';
  readonly demoDepartments?: readonly {
    readonly id: string;
    readonly name: string;
    readonly token: string;
  }[];
}

let loaded: Promise<WebConfig> | undefined;

export function loadConfig(): Promise<WebConfig> {
  loaded ??= fetch('/config.json', { cache: 'no-store' }).then(async (r) => {
    if (!r.ok) throw new Error(`/config.json: HTTP ${r.status}`);
    return (await r.json()) as WebConfig;
  });
  return loaded;
}
