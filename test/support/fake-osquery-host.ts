/**
 * A hand-driven osquery host for black-box tests of the agent API: it sends exactly the requests
 * osqueryd sends, and the test decides what it answers. (The host simulator is the automatic one.)
 */
import { FleetClient, type ApiResponse } from './fleet-client';

export type Platform = 'darwin' | 'ubuntu' | 'centos' | 'windows';

const OS_NAMES: Record<Platform, { name: string; version: string; platform_like: string }> = {
  darwin: { name: 'macOS', version: '14.5', platform_like: 'darwin' },
  ubuntu: { name: 'Ubuntu', version: '22.04.4 LTS (Jammy Jellyfish)', platform_like: 'debian' },
  centos: { name: 'CentOS Linux', version: '7.9.2009', platform_like: 'rhel' },
  windows: { name: 'Microsoft Windows 11 Pro', version: '10.0.22631', platform_like: 'windows' },
};

export class FakeOsqueryHost {
  nodeKey: string | null = null;
  /** Queries of the last distributed/read not answered yet (as osqueryd, it answers them next). */
  private pending: Record<string, string> = {};
  private readonly client: FleetClient;

  constructor(
    baseUrl: string,
    readonly hostname: string,
    readonly platform: Platform,
    readonly uuid = `uuid-${hostname}`,
  ) {
    this.client = new FleetClient(baseUrl);
  }

  hostDetails() {
    const os = OS_NAMES[this.platform];
    return {
      os_version: { name: os.name, version: os.version, platform: this.platform, platform_like: os.platform_like, major: '1', minor: '0', patch: '0', build: '' },
      osquery_info: { version: '5.12.1', build_platform: this.platform, build_distro: this.platform },
      system_info: { hostname: this.hostname, uuid: this.uuid, hardware_serial: `serial-${this.hostname}`, hardware_model: 'Model X', hardware_vendor: 'Vendor', cpu_brand: 'CPU', cpu_logical_cores: '8', physical_memory: '17179869184', computer_name: this.hostname },
      platform_info: { vendor: 'Vendor', version: '1.0' },
    };
  }

  async enroll(secret: string): Promise<ApiResponse> {
    const res = await this.client.post('/api/v1/osquery/enroll', {
      enroll_secret: secret,
      host_identifier: this.uuid,
      host_details: this.hostDetails(),
      platform_type: this.platform === 'windows' ? '2' : this.platform === 'darwin' ? '21' : '9',
    });
    if (res.status === 200) this.nodeKey = res.body.node_key;
    return res;
  }

  post(path: string, body: Record<string, unknown> = {}): Promise<ApiResponse> {
    return this.client.post(`/api/v1/osquery/${path}`, { node_key: this.nodeKey, ...body });
  }

  config() {
    return this.post('config');
  }

  async read(): Promise<ApiResponse> {
    const res = await this.post('distributed/read');
    if (res.status === 200) this.pending = { ...this.pending, ...res.body.queries };
    return res;
  }

  write(queries: Record<string, Array<Record<string, string>>>, statuses: Record<string, number> = {}, messages: Record<string, string> = {}) {
    const allStatuses = { ...Object.fromEntries(Object.keys(queries).map((name) => [name, 0])), ...statuses };
    return this.post('distributed/write', { queries, statuses: allStatuses, messages, stats: {} });
  }

  /**
   * Checks in and answers every query handed out and not answered yet: `answer(name, sql)` gives
   * the rows (or null for an error).
   */
  async answerAll(answer: (name: string, sql: string) => Array<Record<string, string>> | null): Promise<ApiResponse> {
    const read = await this.read();
    if (read.status !== 200) throw new Error(`distributed/read failed: ${read.status}`);
    const asked = this.pending;
    this.pending = {};
    const queries: Record<string, Array<Record<string, string>>> = {};
    const statuses: Record<string, number> = {};
    for (const [name, sql] of Object.entries(asked)) {
      const rows = answer(name, sql);
      queries[name] = rows ?? [];
      statuses[name] = rows === null ? 1 : 0;
    }
    return this.write(queries, statuses);
  }

  /** Answers like a real host of its platform would for the detail and built-in label queries. */
  answerLikeARealHost(extra: (name: string, sql: string) => Array<Record<string, string>> | null | undefined = () => undefined) {
    const details = this.hostDetails();
    return this.answerAll((name, sql) => {
      const custom = extra(name, sql);
      if (custom !== undefined) return custom;
      if (name === 'fleet_detail_query_system_info') return [details.system_info];
      if (name === 'fleet_detail_query_os_version') return [details.os_version];
      if (name === 'fleet_detail_query_osquery_info') return [{ version: '5.12.1' }];
      if (name === 'fleet_detail_query_network_interface') return [{ address: '10.0.0.7' }];
      if (name.startsWith('fleet_label_query_')) {
        const platformMatch = /platform = '(\w+)'/.exec(sql);
        if (platformMatch) return platformMatch[1] === this.platform ? [{ '1': '1' }] : [];
        if (/^select 1;?$/i.test(sql.trim())) return [{ '1': '1' }];
        return [];
      }
      return [];
    });
  }
}
