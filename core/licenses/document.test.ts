import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '../case/model.ts';
import {
  buildLicense,
  chineseDate,
  embeddedData,
  escapeHtml,
  type LicenseService,
  sha256Hex,
  signedMessage,
} from './document.ts';

const service: LicenseService = {
  serviceId: 'enterprise-establishment-registration',
  serviceName: '企业设立登记',
  result: { kind: 'license', name: '营业执照（含电子营业执照）' },
  department: { id: 'market-regulation', name: '市市场监管局' },
};

function caseRecord(applicantName = '常州示例科技有限公司'): CaseRecord {
  return {
    caseId: 'c-abc234',
    portalId: 'portal-a',
    bundleId: 'enterprise-opening',
    services: [service.serviceId],
    catalogVersion: '2022.1',
    status: 'in_review',
    applicant: {
      kind: 'organisation',
      name: applicantName,
      uscc: '91320400MA1XXXXX0X',
      phone: '13812345678',
    },
    form: {},
    materials: [],
    delivery: { method: 'electronic' },
    commitments: [],
    requestHash: 'h',
    createdAt: '2024-03-01T00:00:00.000Z',
    updatedAt: '2024-03-01T00:00:00.000Z',
    dueAt: '2024-03-08T00:00:00.000Z',
    correctionRound: 0,
    version: 1,
  };
}

const issuedAt = '2024-03-01T16:30:00.000Z';
const identity = { licenseId: 'l-8k2mq4v7x9zt3bn5rd6wc1hj0p', verificationCode: '7K3M9QX2' };
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('license document', () => {
  it('prints the license id and its verification code (XXXX-XXXX) on both files, and how to verify with both', () => {
    const built = buildLicense(caseRecord(), service, issuedAt, identity);
    const html = text(built.documentBytes);
    expect(built.data).toMatchObject({ licenseId: identity.licenseId, verificationCode: '7K3M-9QX2' });
    expect(html).toContain('<dt>核验码</dt><dd>7K3M-9QX2</dd>');
    expect(html).toContain(`/v1/licenses/${identity.licenseId}/verification?code=7K3M-9QX2`);
    // The id is the license's own, not made of the case id.
    expect(html).not.toContain(`${caseRecord().caseId}.`);
  });

  it('carries its data in the document, as the bytes its data hash is over, and reads it back unchanged', () => {
    const built = buildLicense(caseRecord(), service, issuedAt, identity);
    const embedded = embeddedData(built.documentBytes);
    expect(embedded).toEqual(built.dataBytes);
    expect(JSON.parse(text(embedded!))).toEqual(built.data);
    expect(built.dataSha256).toBe(sha256Hex(built.dataBytes));
    expect(embeddedData(new TextEncoder().encode('<html>no data</html>'))).toBeUndefined();
  });

  it('builds byte-identical files from the same inputs, so their hashes can be checked again', () => {
    const a = buildLicense(caseRecord(), service, issuedAt, identity);
    const b = buildLicense(caseRecord(), service, issuedAt, identity);
    expect(a.documentBytes).toEqual(b.documentBytes);
    expect(a.dataBytes).toEqual(b.dataBytes);
    expect(a.documentSha256).toBe(b.documentSha256);
    expect(a.dataSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes both hashes when the issue time changes', () => {
    const a = buildLicense(caseRecord(), service, issuedAt, identity);
    const b = buildLicense(caseRecord(), service, '2024-03-02T16:30:00.000Z', identity);
    expect(b.documentSha256).not.toBe(a.documentSha256);
    expect(b.dataSha256).not.toBe(a.dataSha256);
  });

  it('prints the result, holder, issuer and date in Chinese, with the identifier masked', () => {
    const built = buildLicense(caseRecord(), service, issuedAt, identity);
    const html = text(built.documentBytes);
    expect(html).toContain('营业执照（含电子营业执照）');
    expect(html).toContain('常州示例科技有限公司');
    expect(html).toContain('市市场监管局');
    expect(html).toContain('2024年3月2日'); // 16:30 UTC is the next day in China
    expect(html).toContain('9132**********XX0X');
    expect(html).not.toContain('91320400MA1XXXXX0X');
    expect(text(built.dataBytes)).not.toContain('91320400MA1XXXXX0X');
    expect(built.data).toMatchObject({
      licenseId: identity.licenseId,
      result: { kind: 'license', name: '营业执照（含电子营业执照）' },
      holder: { kind: 'organisation', identifierType: 'uscc', identifier: '9132**********XX0X' },
      issuer: { departmentId: 'market-regulation', name: '市市场监管局' },
      issuedAt,
      catalogVersion: '2022.1',
    });
  });

  it('escapes every interpolated value, so an applicant cannot inject markup', () => {
    const hostile = `<script>alert("x")</script>&'<img src=x onerror=1>`;
    const built = buildLicense(
      caseRecord(hostile),
      { ...service, result: { kind: 'license', name: '<b>证</b>' } },
      issuedAt,
      identity,
    );
    const html = text(built.documentBytes);
    // The data block holds the name too, with no `<` that could end it; it reads back as typed.
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(JSON.parse(text(embeddedData(built.documentBytes)!)).holder.name).toBe(hostile);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;');
    expect(escapeHtml(`&<>"'`)).toBe('&#38;&#60;&#62;&#34;&#39;');
  });

  it('prints the date as it is in China', () => {
    expect(chineseDate('2024-12-31T15:59:59Z')).toBe('2024年12月31日');
    expect(chineseDate('2024-12-31T16:00:00Z')).toBe('2025年1月1日');
  });

  it('signs a message that changes when any signed field changes and not with key order', () => {
    const base = {
      licenseId: 'c-abc234.svc',
      documentSha256: 'a'.repeat(64),
      dataSha256: 'b'.repeat(64),
      issuedAt,
      keyId: 'local:1',
    };
    const original = text(signedMessage(base));
    for (const change of [
      { documentSha256: 'c'.repeat(64) },
      { dataSha256: 'c'.repeat(64) },
      { licenseId: 'c-abc234.other' },
      { issuedAt: '2024-03-01T16:30:00.001Z' },
      { keyId: 'local:2' },
    ])
      expect(text(signedMessage({ ...base, ...change }))).not.toBe(original);
    const reordered = {
      keyId: base.keyId,
      issuedAt,
      dataSha256: base.dataSha256,
      documentSha256: base.documentSha256,
      licenseId: base.licenseId,
    };
    expect(text(signedMessage(reordered))).toBe(original);
    // Fields outside the signed set (e.g. the record's name) do not enter the message.
    expect(text(signedMessage({ ...base, name: 'x' } as typeof base))).toBe(original);
  });
});
