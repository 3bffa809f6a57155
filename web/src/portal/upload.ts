/**
 * A material straight to S3: declare it (POST /v1/materials with its size and SHA-256), PUT the
 * bytes to the presigned URL with exactly the returned headers (XMLHttpRequest, for upload
 * progress), then ask the API whether it verified them (GET /v1/materials/{id}).
 */
import type { ApiClient } from '../shared/api.ts';

export interface UploadResult {
  readonly materialId: string;
  readonly status: string;
}

async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// The browser sets these itself (and refuses to be told them).
const FORBIDDEN = new Set(['content-length', 'host']);

function put(url: string, headers: Record<string, string>, file: Blob, onProgress: (f: number) => void) {
  return new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries(headers))
      if (!FORBIDDEN.has(k.toLowerCase())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => (xhr.status < 300 ? resolve() : reject(new Error(`上传失败（HTTP ${xhr.status}）`)));
    xhr.onerror = () => reject(new Error('上传失败（网络错误）'));
    xhr.send(file);
  });
}

export async function uploadMaterial(
  api: ApiClient,
  bundleId: string,
  type: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<UploadResult> {
  const declared = await api.POST('/v1/materials', {
    body: {
      bundleId,
      type,
      fileName: file.name,
      contentType: file.type || 'application/octet-stream',
      size: file.size,
      sha256: await sha256Hex(file),
    },
  });
  if (!declared.data) {
    const p = declared.error as { errors?: { message: string }[]; detail?: string } | undefined;
    throw new Error(p?.errors?.map((e) => e.message).join('；') ?? p?.detail ?? '登记材料失败');
  }
  const { id, upload } = declared.data as {
    id: string;
    upload: { url: string; headers: Record<string, string> };
  };
  await put(upload.url, upload.headers, file, onProgress);
  const checked = await api.GET('/v1/materials/{materialId}', { params: { path: { materialId: id } } });
  const status = (checked.data as { status?: string } | undefined)?.status ?? 'unknown';
  if (status !== 'verified') throw new Error(`材料未通过校验（${status}）`);
  return { materialId: id, status };
}
