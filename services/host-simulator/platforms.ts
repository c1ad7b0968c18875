/** The simulated platforms and how osquery identifies each. */
export const PLATFORMS = ['darwin', 'ubuntu', 'centos', 'windows'] as const;
export type Platform = (typeof PLATFORMS)[number];

/**
 * osquery's PlatformType bit mask (osquery/utils/info/platform_type.h: POSIX 0x01, WINDOWS 0x02,
 * BSD 0x04, LINUX 0x08, OSX 0x10), sent at enroll as a decimal string and shown as
 * osquery_info.platform_mask. macOS builds set POSIX|BSD|OSX, Linux builds POSIX|LINUX.
 */
export const PLATFORM_TYPE: Record<Platform, number> = {
  darwin: 0x01 | 0x04 | 0x10,
  ubuntu: 0x01 | 0x08,
  centos: 0x01 | 0x08,
  windows: 0x02,
};

/** The platform family names used in pack queries' `platform` field. */
export function matchesPlatformFilter(platform: Platform, filter: string | undefined): boolean {
  if (filter === undefined || filter === null || filter.trim() === '') return true;
  const wanted = filter.split(',').map((part) => part.trim().toLowerCase());
  const families: string[] = ['all', 'any', platform];
  if (platform !== 'windows') families.push('posix');
  if (platform === 'ubuntu' || platform === 'centos') families.push('linux');
  if (platform === 'centos') families.push('redhat', 'rhel');
  if (platform === 'darwin') families.push('macos', 'osx');
  return wanted.some((name) => families.includes(name));
}
