// jest setupFilesAfterEnv of the e2e specs: every answer a spec receives from a built api it
// started and watched (`watchOrigin`) must be one the api's OpenAPI description allows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@tally/app-processes';
import { installContractCheck, OpenApiContract } from '@tally/testing';

const file = join(workspaceRoot, 'apps/api/src/docs/openapi.json');
installContractCheck(new OpenApiContract(JSON.parse(readFileSync(file, 'utf8'))));
