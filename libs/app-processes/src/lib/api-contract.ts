import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installContractCheck, OpenApiContract } from '@tally/testing';
import { workspaceRoot } from './app-processes';

/** The api's OpenAPI description, as the repo holds it (and the built api serves it). */
export const API_DESCRIPTION_FILE = join(workspaceRoot, 'apps/api/src/docs/openapi.json');

/**
 * For a jest `setupFilesAfterEnv` file of specs that run the built api: every answer a spec
 * receives from an api origin it watches (`watchOrigin` of @tally/testing) must be one the
 * api's OpenAPI description allows, or the test fails.
 */
export function installApiContractCheck(): void {
  installContractCheck(new OpenApiContract(JSON.parse(readFileSync(API_DESCRIPTION_FILE, 'utf8'))));
}
