/**
 * A simulated host's stable identity, derived from the seed and the host's index: rerunning with
 * the same seed (and platform mix) yields the same uuid, hostname and serial, so a host that
 * re-enrolls is the same host to the server.
 */
import type { HostFacts } from './sql-engine';
import type { Platform } from './platforms';
import { PLATFORMS } from './platforms';
import { SeededRandom, stableBytes } from './seeded-random';

export type PlatformMix = Record<Platform, number>;

export interface HostIdentity {
  index: number;
  platform: Platform;
  uuid: string;
  instanceId: string;
  hostname: string;
  computerName: string;
  localHostname: string;
  hardwareSerial: string;
  boardSerial: string;
  hardwareModel: string;
  physicalMemory: number;
  ipAddress: string;
  macAddress: string;
  /** Seconds the host had been up when the simulator started. */
  uptimeAtStart: number;
}

const MODELS: Record<Platform, readonly string[]> = {
  darwin: ['MacBookPro18,3', 'MacBookAir10,1', 'Mac14,2', 'MacBookPro17,1'],
  ubuntu: ['PowerEdge R640', 'ProLiant DL360 Gen10', 'VMware Virtual Platform', 'ThinkPad T14 Gen 3'],
  centos: ['PowerEdge R740', 'ProLiant DL380 Gen10', 'VMware Virtual Platform'],
  windows: ['Latitude 7420', 'ThinkPad X1 Carbon Gen 9', 'HP EliteBook 840 G8', 'Surface Laptop 4'],
};
const MEMORY_GIB = [8, 16, 32, 64];
const HOSTNAME_PREFIX: Record<Platform, string> = { darwin: 'mac', ubuntu: 'ubuntu', centos: 'centos', windows: 'DESKTOP' };
const SERIAL_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

function formatUuid(bytes: Buffer): string {
  const hex = Buffer.from(bytes.subarray(0, 16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function serial(random: SeededRandom, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SERIAL_ALPHABET[random.int(0, SERIAL_ALPHABET.length - 1)];
  return out;
}

/** The platform of host `index`: a stable weighted draw from the mix. */
export function platformFor(seed: string, index: number, mix: PlatformMix): Platform {
  const total = PLATFORMS.reduce((sum, platform) => sum + Math.max(0, mix[platform] ?? 0), 0);
  if (total <= 0) throw new Error('the platform mix has no positive weight');
  let draw = new SeededRandom(seed, 'platform', index).next() * total;
  for (const platform of PLATFORMS) {
    draw -= Math.max(0, mix[platform] ?? 0);
    if (draw < 0) return platform;
  }
  return PLATFORMS.filter((platform) => (mix[platform] ?? 0) > 0).pop()!;
}

export function hostIdentity(seed: string, index: number, mix: PlatformMix): HostIdentity {
  const platform = platformFor(seed, index, mix);
  const random = new SeededRandom(seed, 'host', index);
  const uuid = formatUuid(stableBytes(seed, 'uuid', index)).toUpperCase();
  const instanceId = formatUuid(stableBytes(seed, 'instance', index));
  const tag = stableBytes(seed, 'name', index).toString('hex').slice(0, 4);
  const hostname =
    platform === 'windows'
      ? `${HOSTNAME_PREFIX[platform]}-${tag}${index}`.toUpperCase()
      : `${HOSTNAME_PREFIX[platform]}-${tag}-${index}${platform === 'darwin' ? '.local' : ''}`;
  const shortName = hostname.replace(/\.local$/, '');
  const macBytes = stableBytes(seed, 'mac', index);
  macBytes[0] = (macBytes[0] & 0xfc) | 0x02; // locally administered, unicast
  const macAddress = Array.from(macBytes.subarray(0, 6), (byte) => byte.toString(16).padStart(2, '0')).join(':');
  const serialLength = platform === 'darwin' ? 9 : 7;
  return {
    index,
    platform,
    uuid,
    instanceId,
    hostname,
    computerName: shortName,
    localHostname: shortName,
    hardwareSerial: (platform === 'darwin' ? 'C02' : 'SN') + serial(random, serialLength),
    boardSerial: serial(random, 12),
    hardwareModel: random.pick(MODELS[platform]),
    physicalMemory: random.pick(MEMORY_GIB) * 1024 ** 3,
    // Data only (what interface_addresses shows); the simulator never sends traffic there.
    ipAddress: `10.${Math.floor((index + 1) / 254 / 256) % 256}.${Math.floor((index + 1) / 254) % 256}.${((index + 1) % 254) + 1}`,
    macAddress,
    uptimeAtStart: random.int(600, 30 * 86400),
  };
}

/** The facts osqueryd's SQL layer answers from for this host, as of its start (`now` moves on with each query). */
export function factsAtStart(identity: HostIdentity, startedAtUnix: number): HostFacts {
  return {
    hostname: identity.hostname,
    computer_name: identity.computerName,
    local_hostname: identity.localHostname,
    uuid: identity.uuid,
    instance_id: identity.instanceId,
    hardware_serial: identity.hardwareSerial,
    board_serial: identity.boardSerial,
    hardware_model: identity.hardwareModel,
    physical_memory: identity.physicalMemory,
    ip: identity.ipAddress,
    mac: identity.macAddress,
    boot_time: startedAtUnix - identity.uptimeAtStart,
    osquery_start_time: startedAtUnix,
    now: startedAtUnix,
    config_id: '',
  };
}
