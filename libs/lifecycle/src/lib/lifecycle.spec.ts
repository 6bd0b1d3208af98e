import { EventEmitter } from 'node:events';
import { Lifecycle } from './lifecycle';
import { type StopSignal, StopSignals } from './stop-signals';

/** A Lifecycle on a fake signal source; `exited` resolves with the exit code. */
function setUp(options: { onRepeat?: (signal: StopSignal) => void } = {}) {
  const source = new EventEmitter();
  const signals = new StopSignals(source);
  let exit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const events: string[] = [];
  const life = new Lifecycle({
    signals,
    exit: (code) => exit(code),
    onStop: (signal, phase) => events.push(`stop ${signal} ${phase}`),
    onRepeat: options.onRepeat,
  });
  const send = (signal: StopSignal) => source.emit(signal);
  return { life, exited, events, send, signals };
}

const never = <T>() => new Promise<T>(() => undefined);

describe('StopSignals', () => {
  it('remembers a signal that came before anybody listened and passes it on', () => {
    const source = new EventEmitter();
    const signals = new StopSignals(source);
    source.emit('SIGINT');
    const seen: string[] = [];
    signals.listen((signal, count) => seen.push(`${signal}#${count}`));
    source.emit('SIGTERM');
    expect(signals.received).toBe('SIGINT');
    expect(seen).toEqual(['SIGINT#1', 'SIGTERM#2']);
  });
});

describe('Lifecycle', () => {
  it('exits 0 when a signal comes during a start-up step, undoing the steps before it, newest first', async () => {
    const { life, exited, events, send } = setUp();
    life.defer(() => void events.push('quit redis'));
    life.defer(async () => void events.push('close server'));
    const step = life.during(never<string>());
    let stepSettled = false;
    void step.then(() => (stepSettled = true));
    send('SIGTERM');
    expect(await exited).toBe(0);
    expect(events).toEqual(['stop SIGTERM starting', 'close server', 'quit redis']);
    expect(stepSettled).toBe(false);
    expect(life.abortSignal.aborted).toBe(true);
  });

  it('handles a signal that came before the lifecycle existed (module loading)', async () => {
    const source = new EventEmitter();
    const signals = new StopSignals(source);
    source.emit('SIGTERM');
    let code: number | undefined;
    const life = new Lifecycle({ signals, exit: (c) => (code = c) });
    await Promise.resolve();
    expect(life.stopping).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(code).toBe(0);
  });

  it('never resolves a step that finishes after the stop began', async () => {
    const { life, exited, send } = setUp();
    let finishStep: (v: number) => void = () => undefined;
    const step = life.during(new Promise<number>((resolve) => (finishStep = resolve)));
    let settled = false;
    void step.then(() => (settled = true));
    send('SIGINT');
    finishStep(1);
    expect(await exited).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
  });

  it('runs stop, then the clean-ups, once running', async () => {
    const { life, exited, events, send } = setUp();
    life.defer(() => void events.push('cleanup'));
    expect(await life.during(Promise.resolve(7))).toBe(7);
    life.running(async () => void events.push('stored everything'));
    send('SIGTERM');
    expect(await exited).toBe(0);
    expect(events).toEqual(['stop SIGTERM running', 'stored everything', 'cleanup']);
  });

  it('exits 1 when stop fails, still cleaning up', async () => {
    const { life, exited, events, send } = setUp();
    life.defer(() => void events.push('cleanup'));
    life.running(async () => {
      throw new Error('could not store');
    });
    send('SIGTERM');
    expect(await exited).toBe(1);
    expect(events).toContain('cleanup');
  });

  it('passes further signals to onRepeat and stops only once', async () => {
    const repeats: string[] = [];
    const { life, exited, send } = setUp({ onRepeat: (s) => repeats.push(s) });
    let release: () => void = () => undefined;
    let stops = 0;
    life.running(() => {
      stops++;
      return new Promise<void>((resolve) => (release = resolve));
    });
    send('SIGTERM');
    send('SIGINT');
    send('SIGTERM');
    release();
    expect(await exited).toBe(0);
    expect(stops).toBe(1);
    expect(repeats).toEqual(['SIGINT', 'SIGTERM']);
  });

  it('fail skips stop and exits with its code', async () => {
    const { life, exited, events } = setUp();
    life.defer(() => void events.push('cleanup'));
    life.running(async () => void events.push('stop'));
    await life.fail(1);
    expect(await exited).toBe(1);
    expect(events).toEqual(['cleanup']);
  });

  it('runs a clean-up registered after the stop began at once', async () => {
    const { life, exited, events, send } = setUp();
    send('SIGTERM');
    await exited;
    life.defer(() => void events.push('late cleanup'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toContain('late cleanup');
  });
});
