export {
  type AppName,
  type AppProcess,
  assertRunning,
  startApp,
  stopApp,
  workspaceRoot,
} from './lib/app-processes';
export { API_DESCRIPTION_FILE, installApiContractCheck } from './lib/api-contract';
