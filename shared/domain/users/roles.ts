export const GLOBAL_ROLES = ['admin', 'maintainer', 'observer'] as const;
export type GlobalRole = (typeof GLOBAL_ROLES)[number];

/** Admins and maintainers change specs; observers only read them. */
export function canApplySpecs(role: GlobalRole): boolean {
  return role === 'admin' || role === 'maintainer';
}

/** Only admins manage users. */
export function canManageUsers(role: GlobalRole): boolean {
  return role === 'admin';
}

/** Only admins open remote shells on hosts and see the shell sessions. */
export function canOpenRemoteShells(role: GlobalRole): boolean {
  return role === 'admin';
}
