import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, settingDefaults } from './index';

const FILE = resolve(__dirname, '..', '..', '..', '.env.example');

/** `# NAME=value` (or `NAME=value`) lines of .env.example; a double-quoted value loses its quotes. */
function listed(): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of readFileSync(FILE, 'utf8').split('\n')) {
    const match = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, name, value] = match;
    if (settings.has(name)) throw new Error(`.env.example lists ${name} twice`);
    settings.set(name, value.replace(/^"(.*)"$/, '$1'));
  }
  return settings;
}

describe('.env.example', () => {
  const defaults = settingDefaults();
  const example = listed();

  it('lists every setting libs/config reads, and nothing else', () => {
    expect([...example.keys()].sort()).toEqual([...defaults.keys()].sort());
  });

  it.each([...defaults.entries()])('gives %s its default', (name, fallback) => {
    expect(example.get(name)).toBe(fallback ?? '');
  });

  it('is, uncommented, the same configuration as no settings at all', () => {
    expect(loadConfig(Object.fromEntries(example))).toEqual(loadConfig({}));
  });
});

describe('settingDefaults', () => {
  it('finds settings read only in some cases, such as the SASL credentials', () => {
    expect(settingDefaults().has('KAFKA_SASL_PASSWORD')).toBe(true);
    expect(settingDefaults().get('KAFKA_SASL_PASSWORD')).toBeUndefined();
    expect(settingDefaults().get('BATCH_INTERVAL_MS')).toBe('30000');
  });
});
