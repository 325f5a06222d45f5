import type { RuleKind } from './rule-kinds';

/** What this installation has configured that some rule kinds depend on. */
export interface RuleEnvironment {
  /** An SMS transport (Twilio) is configured. */
  smsConfigured: boolean;
}

/**
 * Why a rule of `kind` cannot work on this installation, whatever its definition, as a message naming the fix;
 * undefined when nothing is missing. Checked before saving, so a rule that could never run is never in force.
 */
export function missingRequirement(kind: RuleKind, env: RuleEnvironment): string | undefined {
  if (kind === 'sms_fallback' && !env.smsConfigured) {
    return 'definition: the SMS fallback needs Twilio; set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and restart, then save the rule';
  }
  return undefined;
}
