import { buildState } from './build';

describe('buildState', () => {
  const sources = [
    { path: 'apps/query/src/main.ts', mtimeMs: 1000 },
    { path: 'libs/config/src/app-config.ts', mtimeMs: 2000 },
  ];

  it('asks for a build when an entry point is missing', () => {
    expect(buildState(sources, [5000, undefined, 5000])).toEqual({ stale: true, reason: 'dist/ has no build yet' });
  });

  it('skips the build when every source is older than the oldest output', () => {
    expect(buildState(sources, [3000, 2500, 4000]).stale).toBe(false);
  });

  it('asks for a build and names the changed files when a source is newer than an output', () => {
    const state = buildState(sources, [1500, 5000, 5000]);
    expect(state.stale).toBe(true);
    expect(state.reason).toContain('libs/config/src/app-config.ts');
    expect(state.reason).not.toContain('apps/query/src/main.ts');
  });
});
