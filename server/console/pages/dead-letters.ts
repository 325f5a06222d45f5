import { Router } from 'express';
import type { ConsoleDeps } from '../console-deps';

// Placeholder: the dead-letters page (issue 8) is being written.
export function deadLettersPage(_deps: ConsoleDeps): Router {
  return Router();
}
