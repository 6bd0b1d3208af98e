/**
 * The API's description and its reference page: `GET /openapi.json` (the OpenAPI 3.1 file)
 * and `GET /docs` (Swagger UI, its files bundled into main.js by the build: no CDN, it works
 * offline). The page gets the dashboard's strict security headers, with images also from
 * `data:` (Swagger UI's stylesheet draws its icons so).
 */
import SWAGGER_UI_CSS from 'swagger-ui-dist/swagger-ui.css?raw';
import SWAGGER_UI_JS from 'swagger-ui-dist/swagger-ui-bundle.js?raw';
import DOCS_JS from '../../docs/docs.ts?script';
import DOCS_HTML from '../../docs/index.html';
import { sendJson } from '../json-response';
import { asset, type GetRoute, pageSecurityHeaders } from '../dashboard/routes';
import { servedDescription } from './openapi';

// Swagger UI's stylesheet draws its icons as `data:` images.
const securityHeaders = pageSecurityHeaders('data:');

/** A prebuilt file without its `sourceMappingURL` line: the map is not served. */
function withoutSourceMap(text: string): string {
  return text.replace(/\n\/[/*]# sourceMappingURL=[^\n]*\s*$/, '\n');
}

export interface ReferenceOptions {
  /** WINDOW_RETENTION_S: the served description's `window` maximum. */
  readonly retentionSeconds: number;
}

/** Mounts /openapi.json and the reference page through the app's `getRoute`. */
export function mountReference(getRoute: GetRoute, options: ReferenceOptions): void {
  const description = Buffer.from(servedDescription(options.retentionSeconds), 'utf8');
  getRoute('/openapi.json', (_req, res) => sendJson(res, 200, description));
  getRoute('/docs', securityHeaders, asset('text/html; charset=utf-8', DOCS_HTML));
  getRoute('/docs/docs.js', securityHeaders, asset('text/javascript; charset=utf-8', DOCS_JS));
  getRoute(
    '/docs/swagger-ui-bundle.js',
    securityHeaders,
    asset('text/javascript; charset=utf-8', withoutSourceMap(SWAGGER_UI_JS)),
  );
  getRoute(
    '/docs/swagger-ui.css',
    securityHeaders,
    asset('text/css; charset=utf-8', withoutSourceMap(SWAGGER_UI_CSS)),
  );
}
