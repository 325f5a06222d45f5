import { Router } from 'express';
import type { ConsoleDeps } from '../console-deps';

// Placeholder: the analytics page (issue 8) is being written.
export function analyticsPage(_deps: ConsoleDeps): Router {
  return Router();
}
