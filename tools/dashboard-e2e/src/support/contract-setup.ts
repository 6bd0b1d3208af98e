// jest setupFilesAfterEnv of the browser specs: every answer a spec fetches from the built api
// it watches must be one the api's OpenAPI description allows (the browser's own requests are
// the page's business: the spec checks those for errors and outside requests).
import { installApiContractCheck } from '@tally/app-processes';

installApiContractCheck();
