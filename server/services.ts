/**
 * Transitional: the composition root is server/composition.ts. This re-export keeps the modules that
 * still take the whole root compiling until each declares its own narrow dependency type; delete it
 * once nothing imports it.
 */
export { createRoot as createServices, type AppRoot as Services } from './composition.ts';
