import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

/** One HTTP answer as a client received it. */
export interface Exchange {
  readonly method: string;
  /** The request target (`/events/countWords?top=3`) or a whole URL. */
  readonly url: string;
  readonly status: number;
  /** Header names in any case. */
  readonly headers: Headers | Readonly<Record<string, string | undefined>>;
  /** The body as text; undefined when it was not read (a stream that lasts). */
  readonly body?: string;
}

/** The parts of an OpenAPI 3.1 document the check reads; anything else is ignored. */
interface Document {
  readonly paths: Readonly<Record<string, PathItem>>;
  readonly components?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * Answers any request may get whatever its path and method (an unknown path's 404, another
   * method's 405, the HTTP server's own 400/408/413/417/431), keyed by status.
   */
  readonly 'x-tally-any-request'?: Readonly<Record<string, unknown>>;
}
type PathItem = Readonly<Record<string, unknown>>;
interface ResponseObject {
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly content?: Readonly<Record<string, { readonly schema?: unknown }>>;
}
interface HeaderObject {
  readonly required?: boolean;
  readonly schema?: unknown;
}

const SCHEMAS_ID = 'openapi-components';

/**
 * Checks HTTP answers against an OpenAPI 3.1 description: the path and method must be
 * described (or the answer one of `x-tally-any-request`), the status listed, the content type
 * one the response allows (none when it describes no content), every required header present
 * and valid, and a JSON body valid against its schema (JSON Schema 2020-12, by ajv). A field,
 * status or content type the description does not allow is a problem.
 */
export class OpenApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<unknown, ValidateFunction>();
  private readonly templates: readonly { readonly path: string; readonly match: RegExp }[];

  constructor(private readonly document: Document) {
    // Schemas refer to each other as `#/components/schemas/X`: one schema of them all, by id.
    this.ajv.addSchema({ $id: SCHEMAS_ID, $defs: this.rewriteRefs(document.components?.schemas) });
    this.templates = Object.keys(document.paths).map((path) => ({
      path,
      match: new RegExp(
        `^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
      ),
    }));
  }

  /** The described path template `url` answers to (one trailing slash accepted), if any. */
  pathOf(url: string): string | undefined {
    let target: string;
    try {
      target = new URL(url, 'http://localhost').pathname;
    } catch {
      return undefined; // not a target any path matches (`http://[`, `*`)
    }
    const path = target.length > 1 && target.endsWith('/') ? target.slice(0, -1) : target;
    return this.templates.find((t) => t.match.test(path))?.path;
  }

  /** What is wrong with `exchange` by the description; empty when nothing is. */
  problems(exchange: Exchange): string[] {
    const method = exchange.method.toUpperCase();
    const what = `${method} ${exchange.url} → ${exchange.status}`;
    const path = this.pathOf(exchange.url);
    const anyRequest = this.document['x-tally-any-request'] ?? {};
    const operation =
      path === undefined
        ? undefined
        : (this.document.paths[path]?.[method === 'HEAD' ? 'get' : method.toLowerCase()] as
            { responses?: Readonly<Record<string, unknown>> } | undefined);
    // A described operation is not answered 404 or 405; another method on a described path is
    // not a 404; a GET of an undescribed path is not a 405 (a CONNECT or a POST may be).
    const excluded =
      operation !== undefined
        ? ['404', '405']
        : path !== undefined
          ? ['404']
          : method === 'GET' || method === 'HEAD'
            ? ['405']
            : [];
    const general = Object.fromEntries(
      Object.entries(anyRequest).filter(([status]) => !excluded.includes(status)),
    );
    const responses = { ...general, ...(operation?.responses ?? {}) };
    const status = String(exchange.status);
    const found = responses[status] ?? responses[`${status[0]}XX`] ?? responses['default'];
    if (found === undefined) {
      const described = path === undefined ? 'an undescribed path' : `${path} (${method})`;
      return [`${what}: status ${status} is not described for ${described}`];
    }
    const response = this.resolve(found) as ResponseObject;
    return [
      ...this.headerProblems(what, exchange, response),
      ...this.bodyProblems(what, method, exchange, response),
    ];
  }

  private headerProblems(what: string, exchange: Exchange, response: ResponseObject): string[] {
    const problems: string[] = [];
    for (const [name, raw] of Object.entries(response.headers ?? {})) {
      const header = this.resolve(raw) as HeaderObject;
      const value = headerValue(exchange.headers, name);
      if (value === undefined) {
        if (header.required === true) problems.push(`${what}: required header ${name} is missing`);
        continue;
      }
      if (header.schema !== undefined) {
        const errors = this.validate(header.schema, value);
        if (errors !== undefined)
          problems.push(`${what}: header ${name} ${JSON.stringify(value)} ${errors}`);
      }
    }
    return problems;
  }

  private bodyProblems(
    what: string,
    method: string,
    exchange: Exchange,
    response: ResponseObject,
  ): string[] {
    const contentType = headerValue(exchange.headers, 'content-type');
    const content = response.content;
    const noBody = method === 'HEAD' || exchange.body === undefined;
    if (content === undefined || Object.keys(content).length === 0) {
      return noBody || exchange.body === '' ? [] : [`${what}: a body where none is described`];
    }
    if (contentType === undefined)
      return [`${what}: no Content-Type (expected ${Object.keys(content).join(' or ')})`];
    const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    const [type] = essence.split('/');
    const media = content[essence] ?? content[`${type}/*`] ?? content['*/*'];
    if (media === undefined) {
      return [
        `${what}: Content-Type ${contentType} is not one of ${Object.keys(content).join(', ')}`,
      ];
    }
    if (noBody || media.schema === undefined) return [];
    let value: unknown = exchange.body;
    if (essence === 'application/json' || essence.endsWith('+json')) {
      try {
        value = JSON.parse(exchange.body ?? '');
      } catch {
        return [
          `${what}: the body is not JSON: ${JSON.stringify((exchange.body ?? '').slice(0, 80))}`,
        ];
      }
    }
    const errors = this.validate(media.schema, value);
    return errors === undefined ? [] : [`${what}: the body ${errors}`];
  }

  /** ajv's errors of `value` against `schema` as one line, or undefined when valid. */
  private validate(schema: unknown, value: unknown): string | undefined {
    let check = this.compiled.get(schema);
    if (check === undefined) {
      check = this.ajv.compile(this.rewriteRefs(schema) as object);
      this.compiled.set(schema, check);
    }
    if (check(value)) return undefined;
    return this.ajv.errorsText(check.errors, { dataVar: 'body' });
  }

  /** `schema` with `#/components/schemas/X` refs pointing into the one schema of components. */
  private rewriteRefs(schema: unknown): unknown {
    return JSON.parse(
      JSON.stringify(schema ?? {}).replaceAll('"#/components/schemas/', `"${SCHEMAS_ID}#/$defs/`),
    );
  }

  /** `value`, or what its local `$ref` points to. */
  private resolve(value: unknown): unknown {
    let current = value;
    for (let hops = 0; hops < 8; hops++) {
      const ref = (current as { $ref?: unknown } | null)?.$ref;
      if (typeof ref !== 'string') return current;
      if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
      current = ref
        .slice(2)
        .split('/')
        .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
        .reduce<unknown>(
          (at, part) => (at as Record<string, unknown> | undefined)?.[part],
          this.document,
        );
      if (current === undefined) throw new Error(`$ref ${ref} points nowhere`);
    }
    throw new Error('$refs nest deeper than 8');
  }
}

function headerValue(headers: Exchange['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
