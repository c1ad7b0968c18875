/** Events of the organization's settings stream. Persisted: never change them. */

export const ORGANIZATION_SET_UP = 'OrganizationSetUp';
export interface OrganizationSetUp {
  org_name: string;
  server_url: string;
}

export type OrganizationEvent = { type: typeof ORGANIZATION_SET_UP; data: OrganizationSetUp };

export const ORGANIZATION_EVENT_TYPES = [ORGANIZATION_SET_UP] as const;

export function isOrganizationEventType(type: string): type is OrganizationEvent['type'] {
  return (ORGANIZATION_EVENT_TYPES as readonly string[]).includes(type);
}
