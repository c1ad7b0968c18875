/**
 * The tables a simulated host offers, per platform, with osquery's table and column names.
 *
 * Rows are templates shared by every host of a platform; a cell that differs per host is a
 * `HostRef` (`{ host: 'hostname' }`), filled in from the host's facts at query time. Tables whose
 * rows are computed when queried (time, uptime, osquery_schedule) are `volatile`.
 */
import type { Platform } from './platforms';
import { PLATFORM_TYPE } from './platforms';

export const OSQUERY_VERSION = '5.12.1';

export type HostFactKey =
  | 'hostname'
  | 'computer_name'
  | 'local_hostname'
  | 'uuid'
  | 'instance_id'
  | 'hardware_serial'
  | 'board_serial'
  | 'hardware_model'
  | 'physical_memory'
  | 'ip'
  | 'mac'
  | 'boot_time'
  | 'osquery_start_time'
  | 'now'
  | 'config_id';

export interface HostRef {
  host: HostFactKey;
}
export type Cell = string | number | null | HostRef;
export type ColumnType = 'TEXT' | 'INTEGER' | 'BIGINT' | 'DOUBLE';

export interface TableSpec {
  name: string;
  columns: Array<[name: string, type: ColumnType]>;
  /** Template rows; a missing column is ''. */
  rows?: Array<Record<string, Cell>>;
  /** A SELECT that computes the rows when queried (may call host_value('key')). */
  select?: string;
  /** Depends on time or per-host state beyond pass-through values: results are never cached. */
  volatile?: boolean;
}

/** The flags the simulated osqueryd runs with, shown by osquery_flags. */
export interface SimulatedFlags {
  distributed_interval: number;
  config_refresh: number;
  logger_tls_period: number;
  host_identifier: string;
  tls_hostname: string;
}

const h = (key: HostFactKey): HostRef => ({ host: key });
const cols = (spec: string): Array<[string, ColumnType]> =>
  spec
    .trim()
    .split(/\s*,\s*/)
    .map((entry) => {
      const [name, type = 'TEXT'] = entry.split(':');
      const upper = type.toUpperCase();
      return [name, (upper === 'I' ? 'INTEGER' : upper === 'B' ? 'BIGINT' : upper === 'D' ? 'DOUBLE' : 'TEXT') as ColumnType];
    });

interface PlatformProfile {
  osVersion: Record<string, Cell>;
  cpu: { type: string; subtype: string; brand: string; cores: number; vendor: string };
  platformInfo: Record<string, Cell>;
  kernel: Record<string, Cell>;
  processes: Array<[name: string, path: string, cmdline: string, uid: number]>;
  users: Array<[username: string, uid: number, gid: number, directory: string, shell: string, description: string]>;
  interfaceName: string;
}

const PROFILES: Record<Platform, PlatformProfile> = {
  darwin: {
    osVersion: { name: 'macOS', version: '14.4.1', major: 14, minor: 4, patch: 1, build: '23E224', platform: 'darwin', platform_like: 'darwin', codename: 'Sonoma', arch: 'arm64' },
    cpu: { type: 'arm64e', subtype: 'ARM64E', brand: 'Apple M1 Pro', cores: 10, vendor: 'Apple Inc.' },
    platformInfo: { vendor: 'Apple Inc.', version: '10151.101.3', date: '', revision: '', firmware_type: 'efi', address: '', size: '', volume_size: '' },
    kernel: { version: '23.4.0', arguments: '', path: '/System/Library/Kernels/kernel', device: '' },
    processes: [
      ['kernel_task', '', '', 0], ['launchd', '/sbin/launchd', '/sbin/launchd', 0], ['logd', '/usr/libexec/logd', '/usr/libexec/logd', 0],
      ['UserEventAgent', '/usr/libexec/UserEventAgent', '/usr/libexec/UserEventAgent (System)', 0], ['configd', '/usr/libexec/configd', '/usr/libexec/configd', 0],
      ['mds', '/System/Library/Frameworks/CoreServices.framework/Versions/A/Frameworks/Metadata.framework/Versions/A/Support/mds', 'mds', 0],
      ['WindowServer', '/System/Library/PrivateFrameworks/SkyLight.framework/Resources/WindowServer', 'WindowServer -daemon', 88],
      ['loginwindow', '/System/Library/CoreServices/loginwindow.app/Contents/MacOS/loginwindow', 'loginwindow console', 501],
      ['Finder', '/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder', 'Finder', 501], ['Dock', '/System/Library/CoreServices/Dock.app/Contents/MacOS/Dock', 'Dock', 501],
      ['Safari', '/Applications/Safari.app/Contents/MacOS/Safari', 'Safari', 501], ['Slack', '/Applications/Slack.app/Contents/MacOS/Slack', 'Slack', 501],
      ['Google Chrome', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', 'Google Chrome', 501],
      ['zsh', '/bin/zsh', '-zsh', 501], ['sshd', '/usr/sbin/sshd', '/usr/sbin/sshd -i', 0],
      ['osqueryd', '/opt/osquery/lib/osquery.app/Contents/MacOS/osqueryd', '/opt/osquery/lib/osquery.app/Contents/MacOS/osqueryd --flagfile=/var/osquery/osquery.flags', 0],
    ],
    users: [['root', 0, 0, '/var/root', '/bin/sh', 'System Administrator'], ['daemon', 1, 1, '/var/root', '/usr/bin/false', 'System Services'], ['_windowserver', 88, 88, '/var/empty', '/usr/bin/false', 'WindowServer'], ['alice', 501, 20, '/Users/alice', '/bin/zsh', 'Alice']],
    interfaceName: 'en0',
  },
  ubuntu: {
    osVersion: { name: 'Ubuntu', version: '22.04.4 LTS (Jammy Jellyfish)', major: 22, minor: 4, patch: 0, build: '', platform: 'ubuntu', platform_like: 'debian', codename: 'jammy', arch: 'x86_64' },
    cpu: { type: 'x86_64', subtype: '85', brand: 'Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz', cores: 8, vendor: 'Dell Inc.' },
    platformInfo: { vendor: 'Dell Inc.', version: '2.19.1', date: '06/03/2023', revision: '2.19', firmware_type: 'uefi', address: '0xf0000', size: '16777216', volume_size: '0' },
    kernel: { version: '5.15.0-105-generic', arguments: 'BOOT_IMAGE=/vmlinuz-5.15.0-105-generic root=/dev/mapper/vg-root ro quiet', path: '/boot/vmlinuz-5.15.0-105-generic', device: '/dev/mapper/vg-root' },
    processes: [
      ['systemd', '/usr/lib/systemd/systemd', '/sbin/init splash', 0], ['kthreadd', '', '', 0], ['systemd-journald', '/usr/lib/systemd/systemd-journald', '/lib/systemd/systemd-journald', 0],
      ['systemd-udevd', '/usr/bin/udevadm', '/lib/systemd/systemd-udevd', 0], ['systemd-resolved', '/usr/lib/systemd/systemd-resolved', '/lib/systemd/systemd-resolved', 101],
      ['cron', '/usr/sbin/cron', '/usr/sbin/cron -f -P', 0], ['rsyslogd', '/usr/sbin/rsyslogd', '/usr/sbin/rsyslogd -n -iNONE', 104], ['sshd', '/usr/sbin/sshd', 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', 0],
      ['dockerd', '/usr/bin/dockerd', '/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock', 0], ['containerd', '/usr/bin/containerd', '/usr/bin/containerd', 0],
      ['nginx', '/usr/sbin/nginx', 'nginx: master process /usr/sbin/nginx -g daemon on; master_process on;', 0], ['nginx', '/usr/sbin/nginx', 'nginx: worker process', 33],
      ['bash', '/usr/bin/bash', '-bash', 1000], ['osqueryd', '/opt/osquery/bin/osqueryd', '/opt/osquery/bin/osqueryd --flagfile=/etc/osquery/osquery.flags', 0],
    ],
    users: [['root', 0, 0, '/root', '/bin/bash', 'root'], ['daemon', 1, 1, '/usr/sbin', '/usr/sbin/nologin', 'daemon'], ['www-data', 33, 33, '/var/www', '/usr/sbin/nologin', 'www-data'], ['syslog', 104, 111, '/home/syslog', '/usr/sbin/nologin', ''], ['ubuntu', 1000, 1000, '/home/ubuntu', '/bin/bash', 'Ubuntu']],
    interfaceName: 'eth0',
  },
  centos: {
    osVersion: { name: 'CentOS Stream', version: '9', major: 9, minor: 0, patch: 0, build: '', platform: 'centos', platform_like: 'rhel fedora', codename: '', arch: 'x86_64' },
    cpu: { type: 'x86_64', subtype: '85', brand: 'Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz', cores: 4, vendor: 'HPE' },
    platformInfo: { vendor: 'HPE', version: 'U32', date: '11/24/2022', revision: '2.72', firmware_type: 'uefi', address: '0xf0000', size: '16777216', volume_size: '0' },
    kernel: { version: '5.14.0-427.el9.x86_64', arguments: 'BOOT_IMAGE=(hd0,gpt2)/vmlinuz-5.14.0-427.el9.x86_64 root=/dev/mapper/cs-root ro crashkernel=auto', path: '/boot/vmlinuz-5.14.0-427.el9.x86_64', device: '/dev/mapper/cs-root' },
    processes: [
      ['systemd', '/usr/lib/systemd/systemd', '/usr/lib/systemd/systemd --switched-root --system --deserialize 31', 0], ['kthreadd', '', '', 0],
      ['systemd-journal', '/usr/lib/systemd/systemd-journald', '/usr/lib/systemd/systemd-journald', 0], ['auditd', '/usr/sbin/auditd', '/sbin/auditd', 0],
      ['firewalld', '/usr/bin/python3.9', '/usr/bin/python3 -s /usr/sbin/firewalld --nofork --nopid', 0], ['chronyd', '/usr/sbin/chronyd', '/usr/sbin/chronyd -F 2', 994],
      ['crond', '/usr/sbin/crond', '/usr/sbin/crond -n', 0], ['sshd', '/usr/sbin/sshd', 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', 0],
      ['postgres', '/usr/bin/postgres', '/usr/bin/postgres -D /var/lib/pgsql/data', 26], ['bash', '/usr/bin/bash', '-bash', 1000],
      ['osqueryd', '/opt/osquery/bin/osqueryd', '/opt/osquery/bin/osqueryd --flagfile=/etc/osquery/osquery.flags', 0],
    ],
    users: [['root', 0, 0, '/root', '/bin/bash', 'root'], ['bin', 1, 1, '/bin', '/sbin/nologin', 'bin'], ['postgres', 26, 26, '/var/lib/pgsql', '/bin/bash', 'PostgreSQL Server'], ['chrony', 994, 992, '/var/lib/chrony', '/sbin/nologin', 'chrony system user'], ['admin', 1000, 1000, '/home/admin', '/bin/bash', 'Admin']],
    interfaceName: 'ens192',
  },
  windows: {
    osVersion: { name: 'Microsoft Windows 11 Enterprise', version: '10.0.22631', major: 10, minor: 0, patch: '', build: '22631', platform: 'windows', platform_like: 'windows', codename: 'Microsoft Windows 11 Enterprise', arch: '64-bit', install_date: '1701388800', revision: 3447 },
    cpu: { type: 'x86_64', subtype: '-1', brand: '11th Gen Intel(R) Core(TM) i7-1185G7 @ 3.00GHz', cores: 4, vendor: 'Dell Inc.' },
    platformInfo: { vendor: 'Dell Inc.', version: '1.32.0', date: '10/18/2023', revision: '', firmware_type: 'uefi', address: '', size: '', volume_size: '' },
    kernel: { version: '10.0.22631.3447', arguments: '', path: 'C:\\Windows\\system32\\ntoskrnl.exe', device: '' },
    processes: [
      ['System Idle Process', '', '', 0], ['System', '', '', 0], ['Registry', '', '', 0], ['smss.exe', 'C:\\Windows\\System32\\smss.exe', '\\SystemRoot\\System32\\smss.exe', 0],
      ['csrss.exe', 'C:\\Windows\\System32\\csrss.exe', '%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows', 0], ['wininit.exe', 'C:\\Windows\\System32\\wininit.exe', 'wininit.exe', 0],
      ['services.exe', 'C:\\Windows\\System32\\services.exe', 'C:\\Windows\\system32\\services.exe', 0], ['lsass.exe', 'C:\\Windows\\System32\\lsass.exe', 'C:\\Windows\\system32\\lsass.exe', 0],
      ['svchost.exe', 'C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p', 0], ['svchost.exe', 'C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p', 0],
      ['MsMpEng.exe', 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24030.9-0\\MsMpEng.exe', '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24030.9-0\\MsMpEng.exe"', 0],
      ['explorer.exe', 'C:\\Windows\\explorer.exe', 'C:\\Windows\\Explorer.EXE', 1001], ['msedge.exe', 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe', '"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe"', 1001],
      ['OUTLOOK.EXE', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE', '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE"', 1001],
      ['osqueryd.exe', 'C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe', '"C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe" --flagfile="C:\\Program Files\\osquery\\osquery.flags"', 0],
    ],
    users: [['SYSTEM', 18, 18, '%systemroot%\\system32\\config\\systemprofile', 'C:\\Windows\\system32\\cmd.exe', ''], ['Administrator', 500, 513, '', 'C:\\Windows\\system32\\cmd.exe', 'Built-in account for administering the computer/domain'], ['Guest', 501, 513, '', 'C:\\Windows\\system32\\cmd.exe', 'Built-in account for guest access to the computer/domain'], ['jdoe', 1001, 513, 'C:\\Users\\jdoe', 'C:\\Windows\\system32\\cmd.exe', '']],
    interfaceName: 'Ethernet',
  },
};

const PACKAGES = {
  deb: [
    ['adduser', '3.118ubuntu5', 'all'], ['apt', '2.4.12', 'amd64'], ['bash', '5.1-6ubuntu1.1', 'amd64'], ['ca-certificates', '20230311ubuntu0.22.04.1', 'all'],
    ['coreutils', '8.32-4.1ubuntu1.2', 'amd64'], ['curl', '7.81.0-1ubuntu1.16', 'amd64'], ['docker-ce', '5:26.0.1-1~ubuntu.22.04~jammy', 'amd64'], ['git', '1:2.34.1-1ubuntu1.10', 'amd64'],
    ['libc6', '2.35-0ubuntu3.7', 'amd64'], ['libssl3', '3.0.2-0ubuntu1.15', 'amd64'], ['nginx', '1.18.0-6ubuntu14.4', 'amd64'], ['openssh-server', '1:8.9p1-3ubuntu0.7', 'amd64'],
    ['openssl', '3.0.2-0ubuntu1.15', 'amd64'], ['osquery', '5.12.1-1.linux', 'amd64'], ['python3', '3.10.6-1~22.04', 'amd64'], ['sudo', '1.9.9-1ubuntu2.4', 'amd64'],
    ['systemd', '249.11-0ubuntu3.12', 'amd64'], ['vim', '2:8.2.3995-1ubuntu2.16', 'amd64'], ['zlib1g', '1:1.2.11.dfsg-2ubuntu9.2', 'amd64'],
  ],
  rpm: [
    ['bash', '5.1.8', '9.el9', 'x86_64'], ['coreutils', '8.32', '35.el9', 'x86_64'], ['curl', '7.76.1', '29.el9', 'x86_64'], ['glibc', '2.34', '100.el9', 'x86_64'],
    ['kernel', '5.14.0', '427.el9', 'x86_64'], ['openssh-server', '8.7p1', '38.el9', 'x86_64'], ['openssl', '3.0.7', '27.el9', 'x86_64'], ['osquery', '5.12.1', '1.linux', 'x86_64'],
    ['postgresql-server', '13.14', '1.el9', 'x86_64'], ['python3', '3.9.18', '3.el9', 'x86_64'], ['sudo', '1.9.5p2', '10.el9', 'x86_64'], ['systemd', '252', '32.el9', 'x86_64'],
    ['vim-enhanced', '8.2.2637', '20.el9', 'x86_64'], ['zlib', '1.2.11', '41.el9', 'x86_64'],
  ],
  programs: [
    ['Google Chrome', '124.0.6367.61', 'Google LLC', 'C:\\Program Files\\Google\\Chrome\\Application'], ['Microsoft Edge', '124.0.2478.51', 'Microsoft Corporation', 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application'],
    ['Microsoft 365 Apps for enterprise - en-us', '16.0.17425.20176', 'Microsoft Corporation', 'C:\\Program Files\\Microsoft Office'], ['7-Zip 23.01 (x64)', '23.01', 'Igor Pavlov', 'C:\\Program Files\\7-Zip\\'],
    ['Mozilla Firefox (x64 en-US)', '125.0.1', 'Mozilla', 'C:\\Program Files\\Mozilla Firefox'], ['osquery', '5.12.1', 'osquery', 'C:\\Program Files\\osquery\\'],
    ['Slack', '4.37.101', 'Slack Technologies Inc.', 'C:\\Users\\jdoe\\AppData\\Local\\slack'], ['Zoom', '5.17.11 (34827)', 'Zoom Video Communications, Inc.', ''],
    ['Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.38.33135', '14.38.33135.0', 'Microsoft Corporation', ''], ['Notepad++ (64-bit x64)', '8.6.5', 'Notepad++ Team', 'C:\\Program Files\\Notepad++'],
  ],
  apps: [
    ['Safari.app', 'com.apple.Safari', '17.4.1', 'Safari'], ['Google Chrome.app', 'com.google.Chrome', '124.0.6367.61', 'Google Chrome'], ['Slack.app', 'com.tinyspeck.slackmacgap', '4.37.101', 'Slack'],
    ['zoom.us.app', 'us.zoom.xos', '5.17.11 (31580)', 'zoom.us'], ['Xcode.app', 'com.apple.dt.Xcode', '15.3', 'Xcode'], ['1Password 7.app', 'com.agilebits.onepassword7', '7.9.11', '1Password 7'],
    ['Visual Studio Code.app', 'com.microsoft.VSCode', '1.88.1', 'Electron'], ['Firefox.app', 'org.mozilla.firefox', '125.0.1', 'firefox'], ['Terminal.app', 'com.apple.Terminal', '2.14', 'Terminal'],
  ],
} as const;

function processTable(platform: Platform): TableSpec {
  const windows = platform === 'windows';
  const darwin = platform === 'darwin';
  const columns =
    'pid:B, name, path, cmdline, state, cwd, root, uid:B, gid:B, euid:B, egid:B, suid:B, sgid:B, on_disk:I, wired_size:B, resident_size:B, total_size:B, user_time:B, system_time:B, disk_bytes_read:B, disk_bytes_written:B, start_time:B, parent:B, pgroup:B, threads:I, nice:I' +
    (windows ? ', elevated_token:I, secure_process:I, protection_type, virtual_process:I, elapsed_time:B, handle_count:B, percent_processor_time:B' : '') +
    (darwin ? ', upid:B, uppid:B, cpu_type:I, cpu_subtype:I, translated:I' : '');
  const rows = PROFILES[platform].processes.map(([name, path, cmdline, uid], i) => {
    const pid = i < 2 ? i : 100 + i * 137;
    const row: Record<string, Cell> = {
      pid, name, path, cmdline, state: windows ? '' : 'S', cwd: path ? (windows ? 'C:\\Windows\\system32\\' : '/') : '', root: windows ? '' : '/',
      uid, gid: uid === 0 ? 0 : uid, euid: uid, egid: uid, suid: uid, sgid: uid, on_disk: path ? 1 : -1,
      wired_size: 0, resident_size: 4096 * (200 + i * 311), total_size: 4096 * (800 + i * 977), user_time: 10 * i + 3, system_time: 5 * i + 1,
      disk_bytes_read: 1024 * i * 13, disk_bytes_written: 1024 * i * 7, start_time: -1, parent: i < 2 ? 0 : 1, pgroup: i < 2 ? 0 : 100 + i * 137, threads: 1 + (i % 9), nice: 0,
    };
    if (windows) Object.assign(row, { elevated_token: uid === 0 ? 1 : 0, secure_process: 0, protection_type: '', virtual_process: 0, elapsed_time: 3600 + i, handle_count: 100 + i * 17, percent_processor_time: i * 1000 });
    if (darwin) Object.assign(row, { upid: 0, uppid: 0, cpu_type: 16777228, cpu_subtype: 2, translated: 0 });
    return row;
  });
  return { name: 'processes', columns: cols(columns), rows };
}

function usersTable(platform: Platform): TableSpec {
  const extra = platform === 'windows' ? ', type' : platform === 'darwin' ? ', is_hidden:I' : '';
  return {
    name: 'users',
    columns: cols(`uid:B, gid:B, uid_signed:B, gid_signed:B, username, description, directory, shell, uuid${extra}`),
    rows: PROFILES[platform].users.map(([username, uid, gid, directory, shell, description]) => ({
      uid, gid, uid_signed: uid, gid_signed: gid, username, description, directory, shell,
      uuid: platform === 'windows' ? `S-1-5-21-1004336348-1177238915-682003330-${uid}` : '',
      ...(platform === 'windows' ? { type: uid === 18 ? 'special' : 'local' } : {}),
      ...(platform === 'darwin' ? { is_hidden: username.startsWith('_') ? 1 : 0 } : {}),
    })),
  };
}

function networkTables(platform: Platform): TableSpec[] {
  const name = PROFILES[platform].interfaceName;
  const windows = platform === 'windows';
  const loopback = windows ? 'Loopback Pseudo-Interface 1' : platform === 'darwin' ? 'lo0' : 'lo';
  return [
    {
      name: 'interface_addresses',
      columns: cols(`interface, address, mask, broadcast, point_to_point, type${windows ? ', friendly_name' : ''}`),
      rows: [
        { interface: loopback, address: '127.0.0.1', mask: '255.0.0.0', broadcast: '', point_to_point: windows ? '' : '127.0.0.1', type: windows ? 'manual' : 'unknown', ...(windows ? { friendly_name: loopback } : {}) },
        { interface: loopback, address: '::1', mask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', broadcast: '', point_to_point: '', type: windows ? 'manual' : 'unknown', ...(windows ? { friendly_name: loopback } : {}) },
        { interface: name, address: h('ip'), mask: '255.255.0.0', broadcast: '', point_to_point: '', type: windows ? 'dhcp' : 'unknown', ...(windows ? { friendly_name: name } : {}) },
      ],
    },
    {
      name: 'interface_details',
      columns: cols('interface, mac, type:I, mtu:I, metric:I, flags:I, ipackets:B, opackets:B, ibytes:B, obytes:B, ierrors:B, oerrors:B, idrops:B, odrops:B, collisions:B, last_change:B, link_speed:B, pci_slot, friendly_name, description, manufacturer, connection_id, connection_status, enabled:I, physical_adapter:I, speed:I, service, dhcp_enabled:I'),
      rows: [
        { interface: loopback, mac: '00:00:00:00:00:00', type: 24, mtu: 65536, metric: 0, flags: 73, ipackets: 88231, opackets: 88231, ibytes: 9123311, obytes: 9123311, ierrors: 0, oerrors: 0, idrops: 0, odrops: 0, collisions: 0, last_change: -1, link_speed: 0, enabled: windows ? 1 : '', physical_adapter: windows ? 0 : '', speed: '', dhcp_enabled: '' },
        { interface: name, mac: h('mac'), type: 6, mtu: 1500, metric: 0, flags: 4163, ipackets: 9812331, opackets: 6129921, ibytes: 10293810231, obytes: 912381023, ierrors: 0, oerrors: 0, idrops: 12, odrops: 0, collisions: 0, last_change: -1, link_speed: 1000, friendly_name: windows ? name : '', description: windows ? 'Intel(R) Ethernet Connection (13) I219-LM' : '', manufacturer: windows ? 'Intel Corporation' : '', connection_id: windows ? name : '', connection_status: windows ? '2' : '', enabled: windows ? 1 : '', physical_adapter: windows ? 1 : '', speed: windows ? 1000000000 : '', service: windows ? 'e1dexpress' : '', dhcp_enabled: windows ? 1 : '' },
      ],
    },
  ];
}

function platformTables(platform: Platform): TableSpec[] {
  switch (platform) {
    case 'darwin':
      return [
        {
          name: 'apps',
          columns: cols('name, path, bundle_executable, bundle_identifier, bundle_name, bundle_short_version, bundle_version, bundle_package_type, environment, element, compiler, development_region, display_name, info_string, minimum_system_version, category, applescript_enabled, copyright, last_opened_time:D'),
          rows: PACKAGES.apps.map(([name, id, version, executable]) => ({
            name, path: `/Applications/${name}`, bundle_executable: executable, bundle_identifier: id, bundle_name: name.replace(/\.app$/, ''), bundle_short_version: version, bundle_version: version,
            bundle_package_type: 'APPL', compiler: 'com.apple.compilers.llvm.clang.1_0', development_region: 'en', display_name: name.replace(/\.app$/, ''), minimum_system_version: '11.0', category: 'public.app-category.productivity', applescript_enabled: '0', last_opened_time: 1713000000,
          })),
        },
        mountsTable(platform),
      ];
    case 'ubuntu':
      return [
        {
          name: 'deb_packages',
          columns: cols('name, version, source, size:B, arch, revision, status, maintainer, section, priority, admindir'),
          rows: PACKAGES.deb.map(([name, version, arch]) => ({ name, version, source: '', size: 1000 + name.length * 1373, arch, revision: version.split('-').pop() ?? '', status: 'install ok installed', maintainer: 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>', section: 'admin', priority: 'optional', admindir: '/var/lib/dpkg' })),
        },
        mountsTable(platform),
      ];
    case 'centos':
      return [
        {
          name: 'rpm_packages',
          columns: cols('name, version, release, source, size:B, sha1, arch, epoch:I, install_time:I, vendor, package_group'),
          rows: PACKAGES.rpm.map(([name, version, release, arch]) => ({ name, version, release, source: `${name}-${version}-${release}.src.rpm`, size: 10000 + name.length * 7919, sha1: '', arch, epoch: '', install_time: 1709251200, vendor: 'CentOS', package_group: 'Unspecified' })),
        },
        mountsTable(platform),
      ];
    case 'windows':
      return [
        {
          name: 'programs',
          columns: cols('name, version, install_location, install_source, language, publisher, uninstall_string, install_date, identifying_number'),
          rows: PACKAGES.programs.map(([name, version, publisher, location], i) => ({ name, version, install_location: location, install_source: '', language: '1033', publisher, uninstall_string: `MsiExec.exe /X{${(0x10000000 + i * 7919).toString(16).toUpperCase()}-0000-0000-0000-000000000000}`, install_date: '20240115', identifying_number: '' })),
        },
        {
          name: 'logical_drives',
          columns: cols('device_id, type, description, boot_partition:I, size:B, free_space:B, file_system'),
          rows: [{ device_id: 'C:', type: 'Local Disk', description: 'Local Fixed Disk', boot_partition: 1, size: 511101108224, free_space: 201398272000, file_system: 'NTFS' }],
        },
      ];
  }
}

function mountsTable(platform: Platform): TableSpec {
  const rows: Array<Record<string, Cell>> =
    platform === 'darwin'
      ? [
          { device: '/dev/disk3s1s1', device_alias: '/dev/disk3s1s1', path: '/', type: 'apfs', blocks_size: 4096, blocks: 242837545, blocks_free: 180391230, blocks_available: 180391230, inodes: 1802893560, inodes_free: 1802391230, flags: '1' },
          { device: '/dev/disk3s5', device_alias: '/dev/disk3s5', path: '/System/Volumes/Data', type: 'apfs', blocks_size: 4096, blocks: 242837545, blocks_free: 180391230, blocks_available: 180391230, inodes: 1802893560, inodes_free: 1801391230, flags: '0' },
          { device: 'devfs', device_alias: 'devfs', path: '/dev', type: 'devfs', blocks_size: 512, blocks: 402, blocks_free: 0, blocks_available: 0, inodes: 695, inodes_free: 0, flags: '0' },
        ]
      : [
          { device: platform === 'centos' ? '/dev/mapper/cs-root' : '/dev/mapper/vg-root', device_alias: '/dev/dm-0', path: '/', type: platform === 'centos' ? 'xfs' : 'ext4', blocks_size: 4096, blocks: 25769984, blocks_free: 13107200, blocks_available: 11796480, inodes: 6553600, inodes_free: 6012345, flags: 'rw,relatime' },
          { device: '/dev/sda1', device_alias: '/dev/sda1', path: '/boot', type: platform === 'centos' ? 'xfs' : 'ext4', blocks_size: 4096, blocks: 262144, blocks_free: 180000, blocks_available: 180000, inodes: 65536, inodes_free: 65200, flags: 'rw,relatime' },
          { device: 'tmpfs', device_alias: 'tmpfs', path: '/run', type: 'tmpfs', blocks_size: 4096, blocks: 406041, blocks_free: 405700, blocks_available: 405700, inodes: 2030205, inodes_free: 2029000, flags: 'rw,nosuid,nodev,noexec,relatime' },
          { device: 'proc', device_alias: 'proc', path: '/proc', type: 'proc', blocks_size: 4096, blocks: 0, blocks_free: 0, blocks_available: 0, inodes: 0, inodes_free: 0, flags: 'rw,nosuid,nodev,noexec,relatime' },
        ];
  return { name: 'mounts', columns: cols('device, device_alias, path, type, blocks_size:B, blocks:B, blocks_free:B, blocks_available:B, inodes:B, inodes_free:B, flags'), rows };
}

function flagRows(flags: SimulatedFlags): Array<Record<string, Cell>> {
  const rows: Array<[string, string, string, string, string]> = [
    ['config_plugin', 'string', 'Config plugin name', 'filesystem', 'tls'],
    ['config_refresh', 'uint64', 'Optional interval in seconds to re-read configuration', '0', String(flags.config_refresh)],
    ['config_tls_endpoint', 'string', 'TLS/HTTPS endpoint for config retrieval', '', '/api/v1/osquery/config'],
    ['disable_distributed', 'bool', 'Disable distributed queries (default true)', 'true', 'false'],
    ['distributed_interval', 'uint64', 'Seconds between polling for new queries (default 60)', '60', String(flags.distributed_interval)],
    ['distributed_plugin', 'string', 'Distributed plugin name', 'tls', 'tls'],
    ['distributed_tls_read_endpoint', 'string', 'TLS/HTTPS endpoint for distributed query retrieval', '', '/api/v1/osquery/distributed/read'],
    ['distributed_tls_write_endpoint', 'string', 'TLS/HTTPS endpoint for distributed query results', '', '/api/v1/osquery/distributed/write'],
    ['enroll_tls_endpoint', 'string', 'TLS/HTTPS endpoint for client enrollment', '', '/api/v1/osquery/enroll'],
    ['host_identifier', 'string', 'Field used to identify the host running osquery (hostname, uuid, instance, ephemeral, specified)', 'hostname', flags.host_identifier],
    ['logger_plugin', 'string', 'Logger plugin name', 'filesystem', 'tls'],
    ['logger_tls_endpoint', 'string', 'TLS/HTTPS endpoint for results logging', '', '/api/v1/osquery/log'],
    ['logger_tls_period', 'uint64', 'Seconds between flushing logs over TLS/HTTPS', '4', String(flags.logger_tls_period)],
    ['pack_delimiter', 'string', 'Delimiter for pack and query names', '_', '_'],
    ['schedule_splay_percent', 'uint64', 'Percent to splay config times', '10', '10'],
    ['tls_hostname', 'string', 'TLS/HTTPS hostname for Config, Logger, and Enroll plugins', '', flags.tls_hostname],
  ];
  return rows.map(([name, type, description, default_value, value]) => ({ name, type, description, default_value, value, shell_only: 0 }));
}

/** Every table of a platform, osquery's names and columns. */
export function tablesFor(platform: Platform, flags: SimulatedFlags): TableSpec[] {
  const profile = PROFILES[platform];
  const windows = platform === 'windows';
  const linux = platform === 'ubuntu' || platform === 'centos';
  return [
    {
      name: 'system_info',
      columns: cols('hostname, uuid, cpu_type, cpu_subtype, cpu_brand, cpu_physical_cores:I, cpu_logical_cores:I, cpu_sockets:I, cpu_microcode, physical_memory:B, hardware_vendor, hardware_model, hardware_version, hardware_serial, board_vendor, board_model, board_version, board_serial, computer_name, local_hostname'),
      rows: [
        {
          hostname: h('hostname'), uuid: h('uuid'), cpu_type: profile.cpu.type, cpu_subtype: profile.cpu.subtype, cpu_brand: profile.cpu.brand, cpu_physical_cores: profile.cpu.cores,
          cpu_logical_cores: profile.cpu.cores * (platform === 'darwin' ? 1 : 2), cpu_sockets: 1, cpu_microcode: linux ? '0x5003604' : '', physical_memory: h('physical_memory'),
          hardware_vendor: profile.cpu.vendor, hardware_model: h('hardware_model'), hardware_version: windows ? '' : '1.0', hardware_serial: h('hardware_serial'),
          board_vendor: profile.cpu.vendor, board_model: platform === 'darwin' ? '' : '0H93GW', board_version: platform === 'darwin' ? '' : 'A01', board_serial: h('board_serial'),
          computer_name: h('computer_name'), local_hostname: h('local_hostname'),
        },
      ],
    },
    {
      name: 'os_version',
      columns: cols(`name, version, major:I, minor:I, patch:I, build, platform, platform_like, codename, arch${platform === 'darwin' ? ', extra' : ''}${windows ? ', install_date:B, revision:I' : ''}${linux ? ', pid_with_namespace:I, mount_namespace_id' : ''}`),
      rows: [{ ...profile.osVersion, ...(platform === 'darwin' ? { extra: '' } : {}), ...(linux ? { pid_with_namespace: '', mount_namespace_id: '' } : {}) }],
    },
    {
      name: 'osquery_info',
      columns: cols('pid:I, uuid, instance_id, version, config_hash, config_valid:I, extensions, build_platform, build_distro, start_time:I, watcher:I, platform_mask:I'),
      rows: [
        {
          pid: 100 + (profile.processes.length - 1) * 137, uuid: h('uuid'), instance_id: h('instance_id'), version: OSQUERY_VERSION, config_hash: '', config_valid: 1, extensions: 'active',
          build_platform: platform === 'windows' ? 'windows' : platform === 'darwin' ? 'darwin' : 'linux', build_distro: platform === 'windows' ? '10' : platform === 'darwin' ? '10.15' : 'centos7',
          start_time: h('osquery_start_time'), watcher: windows ? -1 : 1, platform_mask: PLATFORM_TYPE[platform],
        },
      ],
    },
    {
      name: 'platform_info',
      columns: cols('vendor, version, date, revision, extra, firmware_type, address, size, volume_size:I'),
      rows: [{ ...profile.platformInfo, extra: '' }],
    },
    { name: 'kernel_info', columns: cols('version, arguments, path, device'), rows: [profile.kernel] },
    {
      name: 'uptime',
      columns: cols('days:I, hours:I, minutes:I, seconds:I, total_seconds:B'),
      volatile: true,
      select:
        "SELECT t / 86400 AS days, (t % 86400) / 3600 AS hours, (t % 3600) / 60 AS minutes, t % 60 AS seconds, t AS total_seconds FROM (SELECT CAST(host_value('now') AS INTEGER) - CAST(host_value('boot_time') AS INTEGER) AS t)",
    },
    {
      name: 'time',
      columns: cols(`weekday, year:I, month:I, day:I, hour:I, minutes:I, seconds:I, timezone, local_timezone, unix_time:I, timestamp, datetime, iso_8601${windows ? ', win_timestamp:B' : ''}`),
      volatile: true,
      select:
        "SELECT CASE CAST(strftime('%w', n, 'unixepoch') AS INTEGER) WHEN 0 THEN 'Sunday' WHEN 1 THEN 'Monday' WHEN 2 THEN 'Tuesday' WHEN 3 THEN 'Wednesday' WHEN 4 THEN 'Thursday' WHEN 5 THEN 'Friday' ELSE 'Saturday' END AS weekday, " +
        "CAST(strftime('%Y', n, 'unixepoch') AS INTEGER) AS year, CAST(strftime('%m', n, 'unixepoch') AS INTEGER) AS month, CAST(strftime('%d', n, 'unixepoch') AS INTEGER) AS day, " +
        "CAST(strftime('%H', n, 'unixepoch') AS INTEGER) AS hour, CAST(strftime('%M', n, 'unixepoch') AS INTEGER) AS minutes, CAST(strftime('%S', n, 'unixepoch') AS INTEGER) AS seconds, " +
        "'UTC' AS timezone, 'UTC' AS local_timezone, n AS unix_time, strftime('%Y-%m-%d %H:%M:%S UTC', n, 'unixepoch') AS timestamp, strftime('%Y-%m-%dT%H:%M:%SZ', n, 'unixepoch') AS datetime, " +
        `strftime('%Y-%m-%dT%H:%M:%SZ', n, 'unixepoch') AS iso_8601${windows ? ', (n + 11644473600) * 10000000 AS win_timestamp' : ''} FROM (SELECT CAST(host_value('now') AS INTEGER) AS n)`,
    },
    processTable(platform),
    usersTable(platform),
    ...networkTables(platform),
    { name: 'osquery_flags', columns: cols('name, type, description, default_value, value, shell_only:I'), rows: flagRows(flags) },
    {
      name: 'osquery_schedule',
      columns: cols('name, query, interval:I, executions:B, last_executed:B, denylisted:I, output_size:B, wall_time:B, wall_time_ms:B, last_wall_time_ms:B, user_time:B, last_user_time:B, system_time:B, last_system_time:B, average_memory:B, last_memory:B'),
      volatile: true,
      select:
        "SELECT name, query, interval, 0 AS executions, 0 AS last_executed, 0 AS denylisted, 0 AS output_size, 0 AS wall_time, 0 AS wall_time_ms, 0 AS last_wall_time_ms, 0 AS user_time, 0 AS last_user_time, 0 AS system_time, 0 AS last_system_time, 0 AS average_memory, 0 AS last_memory FROM __schedule WHERE config_id = host_value('config_id')",
    },
    ...platformTables(platform),
  ];
}

/** Each column name that carries a host's own value, with the tables where it does. */
export function hostDependentColumns(tables: TableSpec[]): Map<string, Set<string>> {
  const columns = new Map<string, Set<string>>();
  for (const table of tables) {
    for (const row of table.rows ?? []) {
      for (const [column, cell] of Object.entries(row)) {
        if (cell !== null && typeof cell === 'object') columns.set(column, (columns.get(column) ?? new Set()).add(table.name));
      }
    }
  }
  return columns;
}
