// jest setupFilesAfterEnv of the api's tests: every answer a test receives from an api it
// started (harness.ts watches each one's origin) must be one the OpenAPI description allows.
import { installContractCheck, OpenApiContract } from '@tally/testing';
import { OPENAPI_DOCUMENT } from '../app/docs/openapi';

installContractCheck(new OpenApiContract(OPENAPI_DOCUMENT));
