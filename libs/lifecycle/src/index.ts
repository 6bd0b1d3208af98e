export { STOP_SIGNALS, type SignalSource, type StopSignal, StopSignals } from './lib/stop-signals';
export { Lifecycle, type LifecycleOptions } from './lib/lifecycle';
