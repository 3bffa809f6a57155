/**
 * The e-license (电子证照) of one approved service, as ONE file: a readable, self-contained HTML
 * document that carries its machine-readable data (JSON) in a data block,
 * `<script type="application/json" id="license-data">` — read by systems, never run (a data block
 * is not a script, and the document's CSP forbids scripts anyway). Both are pure functions of the
 * case, the service, the issue time and the license's identity (its random id and verification
 * code). The signature covers the hashes of the document and of its data (signedMessage, through
 * the manifest of its issue: manifest.ts), so altering either is detected at verification.
 * One object per license, not a document and a data file beside it: one S3 PUT per license
 * instead of two (issue #14: 6 storage calls of 企业开办). Licenses issued before kept their data
 * file (`dataKey`), and verify as they always did.
 */
import { createHash } from 'node:crypto';
import { type CaseRecord, canonicalJson } from '../case/model.ts';
import type { Service } from '../catalog/schema.ts';
import { formatVerificationCode } from '../identity/keyed-ids.ts';
import { maskIdentifier } from '../shared/identifiers.ts';
import type { IssuedLicense } from './ports.ts';

export type ResultKind = Service['result']['kind'];

/** What the catalog says about the service whose result is issued. */
export interface LicenseService {
  readonly serviceId: string;
  readonly serviceName: string;
  readonly result: {
    readonly kind: ResultKind;
    readonly name: string;
    /** What the results produced (this service's and its prerequisites'): the credit code, license numbers… */
    readonly data?: readonly ResultDatum[];
  };
  readonly department: { readonly id: string; readonly name: string };
}

export interface ResultDatum {
  readonly field: string;
  readonly title: string;
  readonly value: string;
}

export interface LicenseData {
  readonly licenseId: string;
  /** 核验码, printed as `XXXX-XXXX`: whoever checks the license needs it with the id. */
  readonly verificationCode: string;
  readonly caseId: string;
  readonly serviceId: string;
  readonly serviceName: string;
  readonly result: {
    readonly kind: ResultKind;
    readonly name: string;
    readonly data?: readonly ResultDatum[];
  };
  readonly holder: {
    readonly kind: 'person' | 'organisation';
    readonly name: string;
    readonly identifierType: 'idNumber' | 'uscc';
    /** Masked: the license is shown and shared, the full identifier is not needed to recognise it. */
    readonly identifier: string;
  };
  readonly issuer: { readonly departmentId: string; readonly name: string };
  readonly issuedAt: string;
  readonly catalogVersion: string;
}

export interface BuiltLicense {
  readonly data: LicenseData;
  /** The data as embedded in the document (embeddedDataJson), the bytes `dataSha256` is over. */
  readonly dataBytes: Uint8Array;
  readonly documentBytes: Uint8Array;
  readonly dataSha256: string;
  readonly documentSha256: string;
}

/** What makes one license itself: its (random) id and the verification code printed on it. */
export interface LicenseIdentity {
  /** `l-` + 128 random bits (core/identity/keyed-ids.ts `newLicenseId`): not computable from the case. */
  readonly licenseId: string;
  /** The code printed on the license (`XXXX-XXXX`); verification needs it beside the id. */
  readonly verificationCode: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The fields of a license that its signature binds (alone, or through its manifest entry). */
export type SignedFields = Pick<
  IssuedLicense,
  'licenseId' | 'documentSha256' | 'dataSha256' | 'issuedAt' | 'keyId'
>;

/**
 * The bytes that bind one license: canonical JSON, so key order can never change them. Signed as
 * they are by licenses signed alone (before manifests); hashed into the license's manifest entry
 * since (manifest.ts).
 */
export function signedMessage(license: SignedFields): Uint8Array {
  const { licenseId, documentSha256, dataSha256, issuedAt, keyId } = license;
  return new TextEncoder().encode(canonicalJson({ licenseId, documentSha256, dataSha256, issuedAt, keyId }));
}

export function licenseData(
  record: CaseRecord,
  service: LicenseService,
  issuedAt: string,
  identity: LicenseIdentity,
): LicenseData {
  const a = record.applicant;
  return {
    licenseId: identity.licenseId,
    verificationCode: formatVerificationCode(identity.verificationCode),
    caseId: record.caseId,
    serviceId: service.serviceId,
    serviceName: service.serviceName,
    result: {
      kind: service.result.kind,
      name: service.result.name,
      ...(service.result.data?.length ? { data: service.result.data } : {}),
    },
    holder:
      a.kind === 'organisation'
        ? { kind: a.kind, name: a.name, identifierType: 'uscc', identifier: maskIdentifier(a.uscc) }
        : { kind: a.kind, name: a.name, identifierType: 'idNumber', identifier: maskIdentifier(a.idNumber) },
    issuer: { departmentId: service.department.id, name: service.department.name },
    issuedAt,
    catalogVersion: record.catalogVersion,
  };
}

/** Builds the license document (its data embedded) and the hashes of both. */
export function buildLicense(
  record: CaseRecord,
  service: LicenseService,
  issuedAt: string,
  identity: LicenseIdentity,
): BuiltLicense {
  const data = licenseData(record, service, issuedAt, identity);
  const encoder = new TextEncoder();
  const json = embeddedDataJson(data);
  const dataBytes = encoder.encode(json);
  const documentBytes = encoder.encode(licenseHtml(data, json));
  return {
    data,
    dataBytes,
    documentBytes,
    dataSha256: sha256Hex(dataBytes),
    documentSha256: sha256Hex(documentBytes),
  };
}

export const RESULT_KIND_LABELS: Readonly<Record<ResultKind, string>> = {
  license: '许可证照',
  certificate: '证明文件',
  registration: '登记备案',
  notice: '决定通知',
  payment: '缴费凭证',
};

const HOLDER_ID_LABELS = { uscc: '统一社会信用代码', idNumber: '公民身份号码' } as const;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 2024-03-01T16:30:00Z → 2024年3月2日: the date as printed in China (UTC+8, no DST). */
export function chineseDate(iso: string): string {
  const t = new Date(Date.parse(iso) + 8 * 3600_000);
  return `${t.getUTCFullYear()}年${t.getUTCMonth() + 1}月${t.getUTCDate()}日`;
}

/** The opening tag of the data block (exactly as written: embeddedData finds it so). */
const DATA_BLOCK_OPEN = '<script type="application/json" id="license-data">';
const DATA_BLOCK_CLOSE = '</script>';

/**
 * The license data as its document embeds it: canonical JSON (key order never changes it) with
 * every `<` written `\u003c`, so no value an applicant typed can close the block; JSON.parse reads
 * it back unchanged.
 */
export function embeddedDataJson(d: LicenseData): string {
  return canonicalJson(d).replace(/</g, '\\u003c');
}

/**
 * The data embedded in a license document, as the bytes its `dataSha256` is over — undefined
 * when the document has no data block (altered, or not a license).
 */
export function embeddedData(document: Uint8Array): Uint8Array | undefined {
  const html = new TextDecoder().decode(document);
  const start = html.indexOf(DATA_BLOCK_OPEN);
  if (start < 0) return undefined;
  const from = start + DATA_BLOCK_OPEN.length;
  const end = html.indexOf(DATA_BLOCK_CLOSE, from);
  return end < 0 ? undefined : new TextEncoder().encode(html.slice(from, end));
}

/**
 * The readable license. Self-contained (inline style, no scripts, no external resources, a CSP
 * that forbids them) so it renders the same offline, years later, from any copy; every value is
 * escaped because names come from applicants.
 */
export function licenseHtml(d: LicenseData, dataJson = embeddedDataJson(d)): string {
  const e = escapeHtml;
  const rows: [string, string][] = [
    ['证照编号', d.licenseId],
    ['核验码', d.verificationCode],
    ['持证主体', d.holder.name],
    [HOLDER_ID_LABELS[d.holder.identifierType], d.holder.identifier],
    ['办理事项', d.serviceName],
    ['结果类型', RESULT_KIND_LABELS[d.result.kind]],
    ...(d.result.data ?? []).map((x): [string, string] => [x.title, x.value]),
    ['办件编号', d.caseId],
    ['发证机关', d.issuer.name],
    ['签发日期', chineseDate(d.issuedAt)],
  ];
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="license-id" content="${e(d.licenseId)}">
<title>${e(d.result.name)} · 电子证照</title>
<style>
body{margin:0;background:#f4f1ea;font-family:"Songti SC","SimSun","Noto Serif CJK SC",serif;color:#222}
main{max-width:42rem;margin:2rem auto;padding:2.5rem 3rem;background:#fff;border:.4rem double #b22222;position:relative}
h1{text-align:center;font-size:2rem;letter-spacing:.4rem;margin:.5rem 0 .25rem}
.sub{text-align:center;color:#666;margin:0 0 2rem}
dl{display:grid;grid-template-columns:9rem 1fr;gap:.6rem 1rem;margin:0}
dt{color:#555}dd{margin:0;word-break:break-all}
.seal{position:absolute;right:3rem;bottom:4.5rem;width:8rem;height:8rem;border:.25rem solid #c00;border-radius:50%;color:#c00;display:flex;align-items:center;justify-content:center;text-align:center;font-size:.9rem;transform:rotate(-12deg);opacity:.85}
footer{margin-top:3rem;font-size:.8rem;color:#666;border-top:1px solid #ddd;padding-top:1rem}
</style>
</head>
<body>
<main>
<h1>${e(d.result.name)}</h1>
<p class="sub">电子证照</p>
<dl>
${rows.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('\n')}
</dl>
<div class="seal" role="img" aria-label="电子印章">${e(d.issuer.name)}<br>电子印章</div>
<footer>本证照由发证机关以电子签名（ECDSA P-256 / SHA-256）签发，签名覆盖本文件及其所载数据的摘要；文件经任何改动即核验不通过。核验：GET /v1/licenses/${e(encodeURIComponent(d.licenseId))}/verification?code=${e(encodeURIComponent(d.verificationCode))}（证照编号与核验码须同时提供）</footer>
</main>
${DATA_BLOCK_OPEN}${dataJson}${DATA_BLOCK_CLOSE}
</body>
</html>
`;
}
