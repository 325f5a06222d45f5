import { z } from 'zod';
import { triggersRule } from '../../core/automation/trigger-rules';

const trigger = (followUp: object) => ({ triggers: [{ name: 'order-shipped', template: 'shipping_update', language: 'en_US', to: '/phone', followUp }] });

test('a follow-up is a reminder template by default, or a task for the owner with assignTask', () => {
  expect(triggersRule.parse(trigger({ afterHours: 2 })).triggers[0]?.followUp).toEqual({ afterHours: 2, assignTask: false });
  expect(triggersRule.parse(trigger({ afterHours: 2, assignTask: true })).triggers[0]?.followUp).toEqual({ afterHours: 2, assignTask: true });
});

test('a follow-up that both assigns a task and names a reminder template is refused, naming the field', () => {
  const parsed = triggersRule.safeParse(trigger({ afterHours: 2, assignTask: true, template: 'shipping_reminder' }));
  expect(parsed.success).toBe(false);
  expect(parsed.error && z.prettifyError(parsed.error)).toContain('triggers[0].followUp.assignTask');
});
