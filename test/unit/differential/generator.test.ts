import { describe, expect, it } from 'vitest';
import { allCases } from '../../differential/cases.js';
import { CATALOGUE } from '../../differential/catalogue.js';
import { compare, messageText } from '../../differential/compare.js';
import { probesFor } from '../../differential/probes.js';
import { configFor } from '../../differential/skeletons.js';

describe('differential harness: case generation', () => {
  const cases = allCases();

  it('gives every keyword of every level its probes, with unique ids, the same on every run', () => {
    const ids = cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(allCases().map((c) => c.id)).toEqual(ids);
    for (const [level, keywords] of Object.entries(CATALOGUE))
      for (const kw of keywords)
        expect(
          ids.some((id) => id.startsWith(`${level}/${kw.name}/`)),
          `${level}/${kw.name}`,
        ).toBe(true);
  });

  it('probes an integer at its bounds and one past them, and the wrong type', () => {
    const words = probesFor({ kind: 'int', min: 1, max: 255 }, '').map((p) => p.words);
    expect(words).toEqual(expect.arrayContaining(['0', '1', '255', '256', 'abc', '', '-1', '1.5']));
  });

  it('probes a decimal one unit of its last place past the maximum', () => {
    const probes = probesFor({ kind: 'decimal', min: '0.000001', max: '4294.967295', places: 6 }, '');
    expect(probes.find((p) => p.label === 'max+1')?.words).toBe('4294.967296');
    expect(probes.find((p) => p.label === 'min-1')?.words).toBe('0');
  });

  it('writes a probe into its level of the skeleton', () => {
    const text = configFor({ url: ['status_code 301'] });
    expect(text).toMatch(/HTTP_GET \{\n\s+url \{\n\s+path \/\n\s+status_code 301\n/);
    expect(configFor({}).match(/\{/g)?.length).toBe(configFor({}).match(/\}/g)?.length);
  });
});

describe('differential harness: comparison', () => {
  it('compares message texts without their location, ignoring keepalived-ts notes', () => {
    expect(messageText('(a.conf: Line 7) number x')).toBe('number x');
    expect(messageText('(Line 2) number y')).toBe('number y');
    const v = compare({
      id: 'x',
      keepalived: { status: 5, lines: ['(Line 2) A', 'B'] },
      ours: {
        status: 5,
        lines: ['(f: Line 2) A', '(f: Line 9) B', '(f: Line 3) keepalived-ts: not acted on'],
      },
    });
    expect(v).toMatchObject({ verdictAgrees: true, messagesAgree: true });
    const w = compare({ id: 'y', keepalived: { status: 0, lines: [] }, ours: { status: 5, lines: ['C'] } });
    expect(w).toMatchObject({ verdictAgrees: false, messagesAgree: false, onlyOurs: ['C'] });
  });
});
