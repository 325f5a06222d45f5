import { forgetNumberSettings } from '../engine/number-settings';
import type { NumberDirectory } from '../inbox/number-directory';
import { registerNumber, type RegisterNumberInput } from './register-number';

/**
 * Connects a number and makes the running process see it at once: webhooks for it are routed from the
 * next request (directory) and the engine reads its new settings (cache). Every way of connecting a
 * number (admin API, console form, Embedded Signup) goes through here.
 */
export async function connectNumber(
  deps: Parameters<typeof registerNumber>[0] & { directory: Pick<NumberDirectory, 'invalidate'> },
  workspaceId: string,
  input: RegisterNumberInput,
  actor: string,
): ReturnType<typeof registerNumber> {
  const result = await registerNumber(deps, workspaceId, input, actor);
  if (result.ok) {
    deps.directory.invalidate();
    forgetNumberSettings(input.phoneNumberId);
  }
  return result;
}
