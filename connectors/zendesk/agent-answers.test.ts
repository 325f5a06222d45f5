import { agentAnswer, agentFacingFailure } from './agent-answers';

describe('agent-facing answers (channelback and the sidebar share them)', () => {
  it('a refusal that will never go as it is: 422, the sentence with its hint, the code and details', () => {
    expect(agentFacingFailure({ ok: false, code: 'WINDOW_CLOSED', message: 'The 24-hour window is closed', details: { hint: 'Send a template.' } })).toEqual({
      status: 422, body: { error: 'Not sent to WhatsApp: The 24-hour window is closed. Send a template.', code: 'WINDOW_CLOSED', details: { hint: 'Send a template.' } },
    });
  });

  it('a failure that may pass on a retry: 503; what a multi-part reply already sent is said', () => {
    expect(agentFacingFailure({ ok: false, code: 'SEND_FAILED', message: 'WhatsApp is unavailable' }, ' (the first part was sent)')).toEqual({
      status: 503, body: { error: 'Not sent to WhatsApp (the first part was sent): WhatsApp is unavailable.', code: 'SEND_FAILED' },
    });
  });

  it('an answer of its own carries details only when there are some', () => {
    expect(agentAnswer(401, 'UNAUTHORIZED', 'Not signed.')).toEqual({ status: 401, body: { error: 'Not signed.', code: 'UNAUTHORIZED' } });
  });
});
