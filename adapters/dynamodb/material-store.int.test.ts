/**
 * A set of materials is recorded by ONE TransactWriteItems of conditional Puts, against DynamoDB
 * Local: all of them, or — when any one cannot be written — none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { materialStore } from '#adapters/dynamodb/material-store.ts';
import { faults } from '#adapters/dynamodb/send.ts';
import { declaredMaterial, type Material, newMaterialId } from '#core/materials/material.ts';

const NOW = new Date();

/** A declared material of portal-a, not yet written. */
const material = (i: number): Material => {
  const materialId = newMaterialId();
  return declaredMaterial(
    'portal-a',
    {
      bundleId: 'enterprise-opening',
      type: 'articles-of-association',
      fileName: `${i}.pdf`,
      contentType: 'application/pdf',
      size: 100,
      sha256: 'a'.repeat(64),
    },
    { materialId, objectKey: `materials/${NOW.toISOString().slice(0, 7)}/${materialId}` },
    NOW,
  );
};

/** The commands sent while `run` runs, by name. */
async function commandsOf(run: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  faults.before = (command) => sent.push((command as { constructor: { name: string } }).constructor.name);
  try {
    await run();
  } finally {
    faults.before = undefined;
  }
  return sent;
}

afterEach(() => {
  faults.before = undefined;
});

describe('recording a set of materials', () => {
  it('writes 50 materials with one transaction', async () => {
    const set = Array.from({ length: 50 }, (_, i) => material(i));

    const sent = await commandsOf(() => materialStore.putMany(set));

    expect(sent).toEqual(['TransactWriteCommand']);
    const stored = await materialStore.getMany(set.map((m) => m.materialId));
    expect(stored.map((m) => m.fileName).sort()).toEqual(set.map((m) => m.fileName).sort());
    expect(stored.find((m) => m.materialId === set[7]!.materialId)).toEqual(set[7]);
  });

  it('writes none of a set when one of its ids is taken', async () => {
    const taken = material(0);
    await materialStore.put(taken);
    const set = [material(1), { ...material(2), materialId: taken.materialId }, material(3)];

    await expect(materialStore.putMany(set)).rejects.toMatchObject({ name: 'TransactionCanceledException' });

    expect(await materialStore.getMany([set[0]!.materialId, set[2]!.materialId])).toEqual([]);
    expect(await materialStore.get(taken.materialId)).toEqual(taken);
  });

  it('sends nothing for an empty set', async () => {
    expect(await commandsOf(() => materialStore.putMany([]))).toEqual([]);
  });
});
