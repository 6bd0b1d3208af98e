// The API reference page (/docs): Swagger UI, served by the api itself (no CDN), rendering the
// description the api serves at /openapi.json. It sends no request anywhere else: no validator
// badge (validatorUrl null), and "Try it out" calls this same origin.

interface SwaggerUiOptions {
  readonly url: string;
  readonly dom_id: string;
  readonly validatorUrl: null;
  readonly deepLinking: boolean;
  readonly displayRequestDuration: boolean;
}

declare global {
  interface Window {
    SwaggerUIBundle?: (options: SwaggerUiOptions) => unknown;
  }
}

const start = window.SwaggerUIBundle;
const root = document.getElementById('swagger-ui');
if (start === undefined || root === null) {
  if (root !== null) root.textContent = 'Swagger UI did not load: see /openapi.json instead.';
} else {
  start({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    validatorUrl: null,
    deepLinking: true,
    displayRequestDuration: true,
  });
}

export {};
