/**
 * Validates real HTTP answers against the published OpenAPI document with ajv (draft 2020-12, the
 * dialect of OpenAPI 3.1): the response a route+status documents, its media type, and its body.
 * Component schemas are compiled strictly, so a schema ajv would not understand fails loudly here.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { OpenApiDocument, Response } from '../../adapters/http/openapi.ts';

const BASE = 'urn:yijianshi:openapi';

/** OpenAPI refs (#/components/schemas/X) → refs into one schema document that holds them as $defs. */
function asSchemaDocument(doc: OpenApiDocument) {
  const text = JSON.stringify(doc.components.schemas).replaceAll(
    '"#/components/schemas/',
    `"${BASE}#/$defs/`,
  );
  return { $id: BASE, $defs: JSON.parse(text) as Record<string, unknown> };
}

export function newAjv() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  // zod emits these formats; ajv ships none without ajv-formats.
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && /T.*(Z|[+-]\d\d:\d\d)$/.test(s));
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  return ajv;
}

export interface ResponseCheck {
  /** What is wrong with the answer, empty when it matches the document. */
  readonly problems: string[];
}

export class DocumentValidator {
  readonly #ajv = newAjv();
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(readonly doc: OpenApiDocument) {
    this.#ajv.addSchema(asSchemaDocument(doc));
  }

  /** Compiles every component schema (throws on anything ajv cannot compile strictly). */
  compileAll(): string[] {
    return Object.keys(this.doc.components.schemas).map((id) => {
      this.#validator({ $ref: `#/components/schemas/${id}` });
      return id;
    });
  }

  #validator(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = this.#compiled.get(key);
    if (!v) {
      const text = key.replaceAll('"#/components/schemas/', `"${BASE}#/$defs/`);
      v = this.#ajv.compile(JSON.parse(text) as Record<string, unknown>);
      this.#compiled.set(key, v);
    }
    return v;
  }

  /** The documented response of `method path` (path as in the table, e.g. /v1/cases/{caseId}) for `status`. */
  documented(method: string, path: string, status: number): Response | undefined {
    const op = this.doc.paths[path]?.[method.toLowerCase()];
    if (!op) return undefined;
    return op.responses[String(status)] ?? op.responses[`${Math.floor(status / 100)}XX`];
  }

  /** Checks one answer: documented status, media type, body against the schema. */
  check(
    method: string,
    path: string,
    answer: { status: number; contentType: string | null; body: unknown },
  ): ResponseCheck {
    const problems: string[] = [];
    const response = this.documented(method, path, answer.status);
    if (!response) return { problems: [`${method} ${path}: status ${answer.status} is not documented`] };
    if (!response.content)
      // A 304: no body is documented, none may come.
      return answer.body === undefined || answer.body === null || answer.body === ''
        ? { problems }
        : { problems: [`${method} ${path} ${answer.status}: a body where none is documented`] };
    const mediaType = (answer.contentType ?? '').split(';')[0]!.trim();
    const media = response.content[mediaType];
    if (!media)
      return {
        problems: [
          `${method} ${path} ${answer.status}: media type "${mediaType}" is not documented (${Object.keys(response.content)})`,
        ],
      };
    const validate = this.#validator(media.schema);
    if (!validate(answer.body))
      problems.push(
        `${method} ${path} ${answer.status}: body does not match the document: ${describe(validate.errors)}`,
      );
    return { problems };
  }

  /** A validator for a request body/parameter schema of the document. */
  validator(schema: Record<string, unknown>): ValidateFunction {
    return this.#validator(schema);
  }
}

export function describe(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('; ');
}
