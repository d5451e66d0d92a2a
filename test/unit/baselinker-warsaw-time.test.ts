import { FALLBACK_BLOCK_MS, resumeAfterBlock } from '../../shared/baselinker/client';
import { formatWarsawTime, parseBlockedUntil, parseWarsawTime } from '../../shared/baselinker/warsaw-time';

describe('Warsaw wall-clock times', () => {
  it('reads a winter time as CET (UTC+1)', () => {
    expect(parseWarsawTime('2026-01-15 12:00:00')?.toISOString()).toBe('2026-01-15T11:00:00.000Z');
  });

  it('reads a summer time as CEST (UTC+2)', () => {
    expect(parseWarsawTime('2026-07-01 12:00:00')?.toISOString()).toBe('2026-07-01T10:00:00.000Z');
  });

  it('switches offset exactly at the spring and autumn changes', () => {
    // Spring 2026: 02:00 CET becomes 03:00 CEST on 29 March (01:00 UTC).
    expect(parseWarsawTime('2026-03-29 01:59:59')?.toISOString()).toBe('2026-03-29T00:59:59.000Z');
    expect(parseWarsawTime('2026-03-29 03:00:00')?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // Autumn 2026: 03:00 CEST becomes 02:00 CET on 25 October (01:00 UTC).
    expect(parseWarsawTime('2026-10-25 01:59:59')?.toISOString()).toBe('2026-10-24T23:59:59.000Z');
    expect(parseWarsawTime('2026-10-25 03:00:00')?.toISOString()).toBe('2026-10-25T02:00:00.000Z');
  });

  it('reads the repeated autumn hour as its later occurrence, the safe end of a block', () => {
    expect(parseWarsawTime('2026-10-25 02:30:00')?.toISOString()).toBe('2026-10-25T01:30:00.000Z');
  });

  it('formats an instant as BaseLinker writes it and reads it back unchanged', () => {
    const summer = new Date('2026-08-10T21:05:09.000Z');
    expect(formatWarsawTime(summer)).toBe('2026-08-10 23:05:09');
    expect(parseWarsawTime(formatWarsawTime(summer))?.getTime()).toBe(summer.getTime());
    const winter = new Date('2026-12-31T23:30:00.000Z');
    expect(formatWarsawTime(winter)).toBe('2027-01-01 00:30:00');
    expect(parseWarsawTime(formatWarsawTime(winter))?.getTime()).toBe(winter.getTime());
  });

  it('rejects text that is not a wall-clock time', () => {
    expect(parseWarsawTime('2026-13-01 00:00:00')).toBeUndefined();
    expect(parseWarsawTime('tomorrow')).toBeUndefined();
    expect(parseWarsawTime('2026-01-01 25:00:00')).toBeUndefined();
  });

  it('finds the time at the end of an ERROR_BLOCKED_TOKEN message', () => {
    expect(parseBlockedUntil('Query limit exceeded, token blocked until 2026-03-02 14:05:09')?.toISOString()).toBe('2026-03-02T13:05:09.000Z');
    expect(parseBlockedUntil('Query limit exceeded, token blocked until 2026-06-02 14:05:09.')?.toISOString()).toBe('2026-06-02T12:05:09.000Z');
    expect(parseBlockedUntil('Query limit exceeded')).toBeUndefined();
  });
});

describe('resumeAfterBlock', () => {
  const now = Date.parse('2026-03-02T13:00:00.000Z');

  it('resumes at the stated Warsaw time plus the margin', () => {
    const resume = resumeAfterBlock('Query limit exceeded, token blocked until 2026-03-02 14:05:09', now, 1000);
    expect(resume.toISOString()).toBe('2026-03-02T13:05:10.000Z');
  });

  it('waits five minutes when the message carries no readable time', () => {
    expect(resumeAfterBlock('Query limit exceeded', now, 1000).getTime()).toBe(now + FALLBACK_BLOCK_MS);
  });

  it('waits five minutes when the stated time lies well in the past (a misread zone)', () => {
    expect(resumeAfterBlock('token blocked until 2026-03-02 12:30:00', now, 1000).getTime()).toBe(now + FALLBACK_BLOCK_MS);
  });

  it('still waits the margin when the stated time has just passed (clock skew)', () => {
    expect(resumeAfterBlock('token blocked until 2026-03-02 13:59:55', now, 1000).getTime()).toBe(now + 1000);
  });
});
