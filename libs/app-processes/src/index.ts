export {
  type AppName,
  type AppProcess,
  assertRunning,
  eventually,
  GiveUp,
  startApp,
  stopApp,
  workspaceRoot,
} from './lib/app-processes';
