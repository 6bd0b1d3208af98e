// jest setupFilesAfterEnv of the e2e specs: every answer a spec receives from a built api it
// started and watched (`watchOrigin`) must be one the api's OpenAPI description allows.
import { installApiContractCheck } from '@tally/app-processes';

installApiContractCheck();
