import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

/** A child process, so that what is under test is the real process's fate (vitest handles rejections itself). */
function run(script: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: new URL('../..', import.meta.url),
  });
}

const rejectTwice = `
  Promise.reject(new Error('boom'));
  Promise.reject('alice@example.com');
  setImmediate(() => setImmediate(() => console.log('still running')));
`;

describe('unhandled promise rejections', () => {
  it('are logged without their values and the process keeps running', () => {
    const child = run(`
      const { pino } = await import('pino');
      const { surviveUnhandledRejections } = await import('./server/process-safety.ts');
      surviveUnhandledRejections(pino());
      ${rejectTwice}
    `);
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    // pino and console.log write independently: the order of their lines is not what is under test.
    const lines = child.stdout.trim().split('\n');
    expect(lines.filter((line) => line === 'still running')).toHaveLength(1);
    const logged = lines
      .filter((line) => line !== 'still running')
      .map((line) => JSON.parse(line) as { msg: string; reason: object });
    expect(logged).toMatchObject([
      { msg: 'unhandled promise rejection', reason: { type: 'Error', message: 'boom' } },
      { msg: 'unhandled promise rejection', reason: { type: 'string', message: '' } },
    ]);
    expect(child.stdout).not.toContain('alice@example.com');
  });

  it('end a process without the guard (what the guard changes)', () => {
    const child = run(rejectTwice);
    expect(child.status).not.toBe(0);
    expect(child.stdout).not.toContain('still running');
  });
});
