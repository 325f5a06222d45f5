import { Router } from 'express';
import type { ConsoleDeps } from '../console-deps';

// Placeholder: the automation page (issue 8) is being written.
export function automationPage(_deps: ConsoleDeps): Router {
  return Router();
}
