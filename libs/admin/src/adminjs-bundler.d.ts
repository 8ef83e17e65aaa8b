// adminjs exports its bundler as `adminjs/bundler` without type declarations; this is the part Parley uses.
declare module 'adminjs/bundler' {
  import type AdminJS from 'adminjs';

  export const componentsBundler: {
    createEntry(options: { dir?: string; content: string }): Promise<void>;
    build(): Promise<void>;
  };
  export function generateUserComponentEntry(admin: AdminJS, entryPath: string): string;
}
