import type { Router } from 'express';
import type { ConsoleDeps } from './console-deps';
import type { SignInProvider } from './sign-in-page';

// Placeholder: sign-in with Zendesk, HubSpot and Salesforce (issue 8) is being written.
export function platformSignIns(_deps: ConsoleDeps): { providers: SignInProvider[]; routes: Router[] } {
  return { providers: [], routes: [] };
}
