import { smsFallbackRule } from '../../core/automation/sms-fallback-rule';
import { fillTemplateText, templateBodyText } from '../../core/sms/template-sms-text';
import { twilioSignature, verifyTwilioSignature } from '../../core/sms/twilio-signature';
import { ConfigError, loadConfig } from '../../server/config';

describe('Twilio request signature', () => {
  // Twilio's documented example: URL with query, POST parameters, auth token 12345.
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };

  it('matches the documented test vector', () => {
    expect(twilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('refuses a missing signature, another token, another URL or a changed parameter', () => {
    const good = twilioSignature('12345', url, params);
    expect(verifyTwilioSignature('12345', url, params, good)).toBe(true);
    expect(verifyTwilioSignature('12345', url, params, undefined)).toBe(false);
    expect(verifyTwilioSignature('54321', url, params, good)).toBe(false);
    expect(verifyTwilioSignature('12345', 'https://mycompany.com/myapp.php', params, good)).toBe(false);
    expect(verifyTwilioSignature('12345', url, { ...params, Digits: '1235' }, good)).toBe(false);
  });
});

describe('template text as SMS', () => {
  it('fills positional and named placeholders, currency and dates by their fallback value', () => {
    const body = templateBodyText([{ type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' }, { type: 'BODY', text: 'Hi {{1}}, your refund of {{2}} will arrive by {{3}}.' }]);
    expect(fillTemplateText(body ?? '', {
      type: 'template', name: 'order_update', language: 'en_US',
      body: [{ type: 'text', text: 'Ana' }, { type: 'currency', currency: { fallback_value: '$25.00', code: 'USD', amount_1000: 25000 } }, { type: 'date_time', date_time: { fallback_value: 'June 16' } }],
    })).toBe('Hi Ana, your refund of $25.00 will arrive by June 16.');
    expect(fillTemplateText('Table for {{number_of_guests}} on {{ date }}, {{missing}}', {
      type: 'template', name: 'r', language: 'en', body: [{ type: 'text', parameter_name: 'date', text: 'Friday' }, { type: 'text', parameter_name: 'number_of_guests', text: '4' }],
    })).toBe('Table for 4 on Friday, {{missing}}');
  });

  it('finds no body in a template without one', () => {
    expect(templateBodyText([{ type: 'HEADER', text: 'x' }])).toBeUndefined();
    expect(templateBodyText('not components')).toBeUndefined();
  });
});

describe('sms_fallback rule and Twilio settings', () => {
  it('names the field that is wrong', () => {
    const parsed = smsFallbackRule.safeParse({ fromNumber: '5550001000', errorCodes: [], text: 'x'.repeat(1601) });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['errorCodes', 'fromNumber', 'text']);
  });

  it('wants both Twilio credentials or neither', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', THREADLINE_DATA_DIR: '/tmp/threadline-sms-config', TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}` }))
      .toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', THREADLINE_DATA_DIR: '/tmp/threadline-sms-config', TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}` }))
      .toThrow(/TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set both/);
    const config = loadConfig({ NODE_ENV: 'test', THREADLINE_DATA_DIR: '/tmp/threadline-sms-config', TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'f'.repeat(32) });
    expect(config.twilio).toEqual({ apiBase: 'https://api.twilio.com', accountSid: `AC${'1'.repeat(32)}`, authToken: 'f'.repeat(32) });
    expect(loadConfig({ NODE_ENV: 'test', THREADLINE_DATA_DIR: '/tmp/threadline-sms-config' }).twilio).toBeUndefined();
  });
});
