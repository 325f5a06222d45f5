import { Router } from 'express';
import type { ConsoleDeps } from '../console-deps';

// Placeholder: the numbers page (issue 8) is being written.
export function numbersPage(_deps: ConsoleDeps): Router {
  return Router();
}
