import { originForm } from './request-target';

describe('originForm', () => {
  it.each([
    ['/', '/'],
    ['/events/stats', '/events/stats'],
    ['/events/countWords?top=3&window=60', '/events/countWords?top=3&window=60'],
    ['//x:99999/', '//x:99999/'],
    ['/%', '/%'],
    ['/events/%E0%A4%A', '/events/%E0%A4%A'],
    ['/%00', '/%00'],
    ['/a#b', '/a#b'],
  ])('keeps the origin-form target %p as it is', (target, expected) => {
    expect(originForm(target)).toBe(expected);
  });

  it.each([
    ['http://host/events/stats', '/events/stats'],
    ['HTTP://host:5000/events/countWords?top=1', '/events/countWords?top=1'],
    ['https://[::1]:5000/health/', '/health/'],
    ['http://host', '/'],
    ['http://host?top=1', '/?top=1'],
    ['http://127.0.0.1:5000//x', '//x'],
  ])('reduces the absolute-form target %p to its path and query', (target, expected) => {
    expect(originForm(target)).toBe(expected);
  });

  it.each([
    ['*'],
    [''],
    ['x'],
    ['host:80'],
    ['http://['],
    ['http://[/x'],
    ['http://x:99999/'],
    ['http:///events/stats'],
    ['http://user:secret@host/events/stats'],
    ['ftp://host/events/stats'],
    ['http://a b/'],
  ])('gives undefined for the target %p, which names no path of this server', (target) => {
    expect(originForm(target)).toBeUndefined();
  });

  it('never throws, whatever the string', () => {
    const samples = ['http://', 'https://%', 'http://\u0000/', 'http://[::1/', '\\\\', '?'];
    for (let i = 0; i < 256; i++) samples.push(`http://${String.fromCharCode(i)}/`);
    for (const target of samples) expect(() => originForm(target)).not.toThrow();
  });
});
