/** What the material use cases need from the outside world: a record store and the file storage. */
import type { ObservedObject, ObservedUpload } from './declaration.ts';
import type { Material, VerdictChanges } from './material.ts';

export interface MaterialStore {
  /** Records a new material (conditional on its id being new). */
  put(material: Material): Promise<void>;
  /** Records new materials together, all or none (each conditional on its id being new). */
  putMany(materials: readonly Material[]): Promise<void>;
  /** Strongly consistent; undefined when there is none. */
  get(materialId: string): Promise<Material | undefined>;
  /** Strongly consistent, any number of ids; unknown ids are simply absent. */
  getMany(materialIds: readonly string[]): Promise<Material[]>;
  /**
   * Records a verdict iff the material is still `JUDGED_FROM` (awaiting upload); returns the
   * material as now stored — the other verdict when two judgments raced.
   */
  recordVerdict(material: Material, changes: VerdictChanges): Promise<Material>;
}

/** A presigned upload of exactly the declared file (every header listed is signed). */
export interface PresignedUpload {
  readonly url: string;
  readonly method: 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresAt: string;
}

export interface MaterialFiles {
  /** Where a material's bytes go: a pure function of its id and declaration time, no personal data. */
  objectKey(materialId: string, createdAt: string): string;
  presignUpload(
    key: string,
    file: { readonly contentType: string; readonly size: number },
    now: Date,
  ): Promise<PresignedUpload>;
  /** The stored bytes, hashed and sniffed, with the ETag of the version read; undefined when none. */
  inspect(key: string): Promise<(ObservedUpload & { readonly etag?: string | undefined }) | undefined>;
  /** Size and ETag only (no bytes read); undefined when there is no object. */
  head(key: string): Promise<ObservedObject | undefined>;
}

export interface MaterialDeps {
  readonly store: MaterialStore;
  readonly files: MaterialFiles;
}
