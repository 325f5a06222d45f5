import { Router } from 'express';
import type { ConsoleDeps } from '../console-deps';

// Placeholder: the templates page (issue 8) is being written.
export function templatesPage(_deps: ConsoleDeps): Router {
  return Router();
}
