/**
 * The api's OpenAPI 3.1 description: one file in the repo (src/docs/openapi.json), bundled into
 * main.js by the build, served at GET /openapi.json, linted in CI (@redocly/cli) and checked
 * against every answer the api's integration and e2e specs receive (src/testing/contract.ts).
 */
import DESCRIPTION from '../../docs/openapi.json';

/** The description as the repo holds it (its `window` maximum is the default retention). */
export const OPENAPI_DOCUMENT: Readonly<typeof DESCRIPTION> = DESCRIPTION;

/**
 * The description this api serves: the file, with the `window` parameter's `maximum` set to
 * this api's WINDOW_RETENTION_S (a larger `window` is a 400 here).
 */
export function servedDescription(retentionSeconds: number): string {
  const copy = structuredClone(DESCRIPTION);
  copy.components.parameters.window.schema.maximum = retentionSeconds;
  return JSON.stringify(copy);
}
