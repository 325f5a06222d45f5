import { retryDelayMs } from '../../core/send/retry-policy';
import { templateShape } from '../../core/send/template-params';
import { ThroughputLimiter } from '../../core/send/throughput-limiter';
import { fixtureJson } from '../support/fixtures';

describe('send building blocks', () => {
  it('131056 backs off 4^X seconds, others 2^X, maintenance at least 15 s, all capped at 10 minutes', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4].map((a) => retryDelayMs({ code: 131056 }, a, noJitter))).toEqual([1000, 4000, 16000, 64000]);
    expect([1, 2, 3].map((a) => retryDelayMs({ code: 130429 }, a, noJitter))).toEqual([1000, 2000, 4000]);
    expect(retryDelayMs({ code: 131057 }, 1, noJitter)).toBe(15000);
    expect(retryDelayMs({ code: 131056 }, 12, noJitter)).toBe(600_000);
    expect(retryDelayMs({ code: undefined }, 3, () => 1)).toBe(4800);
  });

  it('the token bucket allows a second\'s burst per number, then the configured rate', () => {
    let now = 0;
    const limiter = new ThroughputLimiter(() => now);
    for (let i = 0; i < 80; i += 1) expect(limiter.tryTake('n1', 80)).toBe(0);
    expect(limiter.tryTake('n1', 80)).toBe(13); // 1/80 s
    expect(limiter.tryTake('n2', 80)).toBe(0); // numbers do not share
    now += 1000 / 80;
    expect(limiter.tryTake('n1', 80)).toBe(0);
    expect(limiter.tryTake('n1', 80)).toBeGreaterThan(0);
  });

  it('reads placeholders and buttons from the fixture templates', () => {
    const [orderUpdate] = (fixtureJson('template-list-response.json') as { data: Array<{ components: unknown; parameter_format: string }> }).data;
    expect(templateShape(orderUpdate?.components, orderUpdate?.parameter_format ?? '')).toEqual({
      format: 'POSITIONAL', headerFormat: 'TEXT', header: ['1'], body: ['1', '2', '3'],
      buttons: [{ index: 0, type: 'QUICK_REPLY', takesText: false }, { index: 1, type: 'URL', takesText: true }],
    });
  });
});
