import { join } from 'node:path';
import { ComponentLoader } from 'adminjs';
import { ADMIN_COMPONENTS_DIR } from './adminjs-env.js';

/** The admin panel's own React components (plain .jsx: AdminJS bundles them for the browser; Node never loads them). */
export const componentLoader = new ComponentLoader();

export const Components = {
  Dashboard: componentLoader.add('ParleyDashboard', join(ADMIN_COMPONENTS_DIR, 'dashboard.jsx')),
  ThreadMessages: componentLoader.add('ThreadMessages', join(ADMIN_COMPONENTS_DIR, 'thread-messages.jsx')),
  SetPassword: componentLoader.add('SetPassword', join(ADMIN_COMPONENTS_DIR, 'set-password.jsx')),
};
