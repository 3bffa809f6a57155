import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexCatalog } from '../catalog/catalog-index.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import { ValidationError } from '../shared/errors.ts';
import {
  checkDeclaration,
  checkDeclarations,
  type Declaration,
  judgeUpload,
  MAX_DECLARATIONS_PER_SET,
} from './declaration.ts';

const index = indexCatalog(
  CatalogSchema.parse({
    schemaVersion: 1,
    city: { id: 'test', name: '测试市' },
    version: 't',
    departments: [{ id: 'market', name: '市场监管局' }],
    fields: [],
    materials: [
      {
        id: 'articles',
        name: '公司章程',
        holder: 'organisation',
        accept: ['application/pdf'],
        maxBytes: 1000,
      },
      {
        id: 'lease',
        name: '住所使用证明',
        holder: 'any',
        accept: ['application/pdf', 'image/png'],
        maxBytes: 2000,
      },
      {
        id: 'photo',
        name: '照片',
        holder: 'person',
        accept: ['application/pdf', 'image/jpeg'],
        maxBytes: 500,
      },
    ],
    bundles: [
      {
        id: 'opening',
        name: '开办企业',
        audience: 'organisation',
        detail: 'outline',
        draft: true,
        leadDepartmentId: 'market',
        services: [
          {
            id: 'registration',
            name: '设立登记',
            departmentId: 'market',
            materials: [{ typeId: 'articles' }, { typeId: 'lease', required: false }],
            timeLimit: { legalDays: 3, committedDays: 1 },
            result: { kind: 'license', name: '营业执照' },
          },
        ],
      },
    ],
  }),
);

const SHA = 'a'.repeat(64);
const valid = {
  bundleId: 'opening',
  type: 'articles',
  fileName: '公司章程.pdf',
  contentType: 'application/pdf',
  size: 1000,
  sha256: SHA,
};

function problemsOf(body: unknown) {
  try {
    checkDeclaration(index, body);
  } catch (err) {
    if (err instanceof ValidationError) return err.problems.map((p) => ({ path: p.path, code: p.code }));
    throw err;
  }
  return [];
}

describe('declaring a material', () => {
  it('accepts a declaration that fits the catalog', () => {
    expect(checkDeclaration(index, valid)).toEqual(valid);
  });

  it('accepts every content type the material type lists, in any case', () => {
    expect(checkDeclaration(index, { ...valid, type: 'lease', contentType: 'Image/PNG' }).contentType).toBe(
      'image/png',
    );
  });

  it('reports an unknown bundle', () => {
    expect(problemsOf({ ...valid, bundleId: 'closing' })).toEqual([
      { path: '/bundleId', code: 'unknown_bundle' },
    ]);
  });

  it('reports a material type the catalog does not know', () => {
    expect(problemsOf({ ...valid, type: 'passport' })).toEqual([
      { path: '/type', code: 'unknown_material_type' },
    ]);
  });

  it('reports a material type no service of the bundle asks for', () => {
    expect(problemsOf({ ...valid, type: 'photo', size: 400 })).toEqual([
      { path: '/type', code: 'material_type_not_in_bundle' },
    ]);
  });

  it('reports a content type the material type does not accept', () => {
    expect(problemsOf({ ...valid, contentType: 'image/png' })).toEqual([
      { path: '/contentType', code: 'content_type_not_accepted' },
    ]);
  });

  it('reports a file above the material type’s size limit, and accepts one exactly at it', () => {
    expect(problemsOf({ ...valid, size: 1001 })).toEqual([{ path: '/size', code: 'file_too_large' }]);
    expect(problemsOf({ ...valid, size: 1000 })).toEqual([]);
  });

  it('reports malformed sizes and digests', () => {
    expect(problemsOf({ ...valid, size: 0 })).toEqual([{ path: '/size', code: 'out_of_range' }]);
    expect(problemsOf({ ...valid, size: 1.5 })).toEqual([{ path: '/size', code: 'wrong_type' }]);
    expect(problemsOf({ ...valid, sha256: SHA.toUpperCase() })).toEqual([
      { path: '/sha256', code: 'malformed' },
    ]);
    expect(problemsOf({ ...valid, sha256: 'a'.repeat(63) })).toEqual([
      { path: '/sha256', code: 'malformed' },
    ]);
  });

  it('reports file names that are paths, too long, or carry control characters', () => {
    for (const fileName of ['../章程.pdf', 'a/b.pdf', 'a\\b.pdf', '..', '.'])
      expect(problemsOf({ ...valid, fileName })).toEqual([{ path: '/fileName', code: 'file_name_is_path' }]);
    for (const fileName of ['a\nb.pdf', 'a\u0000.pdf', 'invoice\u202efdp.exe'])
      expect(problemsOf({ ...valid, fileName })).toEqual([
        { path: '/fileName', code: 'file_name_has_control_characters' },
      ]);
    expect(problemsOf({ ...valid, fileName: 'x'.repeat(256) })).toEqual([
      { path: '/fileName', code: 'too_long' },
    ]);
    expect(problemsOf({ ...valid, fileName: '' })).toEqual([{ path: '/fileName', code: 'too_short' }]);
  });

  it('reports every problem at once, catalog problems beside malformed fields', () => {
    const problems = problemsOf({
      bundleId: 'opening',
      type: 'articles',
      fileName: 'a/b',
      contentType: 'image/png',
      size: 5000,
      sha256: 'x',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: '/fileName', code: 'file_name_is_path' },
        { path: '/contentType', code: 'content_type_not_accepted' },
        { path: '/size', code: 'file_too_large' },
        { path: '/sha256', code: 'malformed' },
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('reports every missing field of an empty or non-object body', () => {
    for (const body of [{}, null, [], 'x'])
      expect(new Set(problemsOf(body).map((p) => p.path))).toEqual(
        body && typeof body === 'object' && !Array.isArray(body)
          ? new Set(['/bundleId', '/type', '/fileName', '/contentType', '/size', '/sha256'])
          : new Set(['']),
      );
  });

  it('never throws anything but a ValidationError for arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.record({ bundleId: fc.string(), type: fc.string(), size: fc.anything() })),
        (body) => {
          try {
            checkDeclaration(index, body);
          } catch (err) {
            return err instanceof ValidationError && err.problems.length > 0;
          }
          return true;
        },
      ),
    );
  });
});

/** The problems checkDeclarations reports for a set, as `path code`. */
function setProblemsOf(body: unknown): string[] {
  try {
    checkDeclarations(index, body);
  } catch (err) {
    if (err instanceof ValidationError) return err.problems.map((p) => `${p.path} ${p.code}`);
    throw err;
  }
  return [];
}

describe('declaring a set of materials', () => {
  it('accepts 1 to 50 declarations and gives them back parsed, in their order', () => {
    const lease = { ...valid, type: 'lease', contentType: 'IMAGE/PNG', fileName: '租赁合同.png' };
    expect(checkDeclarations(index, { items: [valid, lease] })).toEqual([
      valid,
      { ...lease, contentType: 'image/png' },
    ]);
    const most = Array.from({ length: MAX_DECLARATIONS_PER_SET }, (_, i) => ({
      ...valid,
      fileName: `${i}.pdf`,
    }));
    expect(checkDeclarations(index, { items: most }).map((d) => d.fileName)).toEqual(
      most.map((d) => d.fileName),
    );
  });

  it('reports the problems of several items in one ValidationError, each under its item', () => {
    const problems = setProblemsOf({
      items: [
        { ...valid, bundleId: 'nope' },
        valid,
        { ...valid, contentType: 'image/png', size: 5000 },
        { ...valid, sha256: undefined },
        'a file',
      ],
    });

    expect(problems).toEqual([
      '/items/0/bundleId unknown_bundle',
      '/items/2/contentType content_type_not_accepted',
      '/items/2/size file_too_large',
      '/items/3/sha256 required',
      '/items/4 wrong_type',
    ]);
  });

  it('reports an empty set, and a set above 50 together with its items’ problems', () => {
    expect(setProblemsOf({ items: [] })).toEqual(['/items too_few']);
    const tooMany = Array.from({ length: MAX_DECLARATIONS_PER_SET + 1 }, () => valid);
    expect(setProblemsOf({ items: tooMany })).toEqual(['/items too_many']);
    tooMany[MAX_DECLARATIONS_PER_SET] = { ...valid, bundleId: 'nope' };
    expect(setProblemsOf({ items: tooMany })).toEqual([
      '/items too_many',
      '/items/50/bundleId unknown_bundle',
    ]);
  });

  it('reports a body that is no set: no items, items that are no list, no object at all', () => {
    expect(setProblemsOf({})).toEqual(['/items required']);
    expect(setProblemsOf({ items: valid })).toEqual(['/items wrong_type']);
    expect(setProblemsOf(null)).toEqual([' wrong_type']);
    expect(setProblemsOf([valid])).toEqual([' wrong_type']);
  });

  it('never throws anything but a ValidationError for arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({ items: fc.array(fc.oneof(fc.anything(), fc.constant(valid)), { maxLength: 60 }) }),
        ),
        (body) => {
          try {
            checkDeclarations(index, body);
          } catch (err) {
            return err instanceof ValidationError && err.problems.length > 0;
          }
          return true;
        },
      ),
    );
  });
});

describe('judging uploaded bytes against their declaration', () => {
  const pdf = new TextEncoder().encode('%PDF-1.7\n%%EOF\n');
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const declared = (
    b: Uint8Array,
    contentType = 'application/pdf',
  ): Pick<Declaration, 'size' | 'sha256' | 'contentType'> => ({
    size: b.length,
    sha256: sha(b),
    contentType,
  });
  const observed = (b: Uint8Array) => ({ size: b.length, sha256: sha(b), head: b.slice(0, 16) });

  it('verifies the declared bytes of the declared type', () => {
    expect(judgeUpload(declared(pdf), observed(pdf))).toEqual({ status: 'verified' });
  });

  it('rejects bytes of another size or digest as a mismatch', () => {
    const tampered = pdf.slice();
    tampered[10] = 0x21;
    expect(judgeUpload(declared(pdf), observed(tampered))).toEqual({
      status: 'rejected',
      reason: 'mismatch',
    });
    expect(judgeUpload(declared(pdf), observed(pdf.slice(0, 10)))).toEqual({
      status: 'rejected',
      reason: 'mismatch',
    });
  });

  it('rejects the declared bytes when they are not of the declared type', () => {
    expect(judgeUpload(declared(png), observed(png))).toEqual({
      status: 'rejected',
      reason: 'wrong_content',
    });
    expect(judgeUpload(declared(png, 'image/png'), observed(png))).toEqual({ status: 'verified' });
  });

  it('calls different bytes a mismatch even when they are of the declared type', () => {
    expect(judgeUpload(declared(png, 'image/png'), observed(pdf))).toEqual({
      status: 'rejected',
      reason: 'mismatch',
    });
  });
});
