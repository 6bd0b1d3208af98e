export {
  type AppName,
  type AppProcess,
  assertRunning,
  startApp,
  stopApp,
  workspaceRoot,
} from './lib/app-processes';
