/**
 * CodeMirror 6 for the console's editors, loaded on demand (its own chunk): SQL with the SQLite
 * dialect osquery speaks and osquery's common tables for completion, or YAML for specs.
 */
import { sql, SQLite } from '@codemirror/lang-sql';
import { yaml } from '@codemirror/lang-yaml';
import { basicSetup, EditorView } from 'codemirror';

/**
 * osquery tables an operator asks for most, with their usual columns (completion hints).
 */
const OSQUERY_TABLES: Record<string, string[]> = {
  osquery_info: ['pid', 'uuid', 'instance_id', 'version', 'config_hash', 'build_platform', 'start_time'],
  system_info: ['hostname', 'uuid', 'cpu_type', 'cpu_brand', 'physical_memory', 'hardware_vendor', 'hardware_model', 'computer_name'],
  os_version: ['name', 'version', 'major', 'minor', 'patch', 'build', 'platform', 'platform_like', 'codename', 'arch'],
  processes: ['pid', 'name', 'path', 'cmdline', 'state', 'cwd', 'root', 'uid', 'gid', 'parent', 'start_time', 'resident_size'],
  users: ['uid', 'gid', 'username', 'description', 'directory', 'shell', 'uuid'],
  groups: ['gid', 'groupname'],
  listening_ports: ['pid', 'port', 'protocol', 'family', 'address', 'fd', 'socket', 'path'],
  interface_addresses: ['interface', 'address', 'mask', 'broadcast', 'type'],
  uptime: ['days', 'hours', 'minutes', 'seconds', 'total_seconds'],
  time: ['weekday', 'year', 'month', 'day', 'hour', 'minutes', 'seconds', 'unix_time', 'datetime'],
  kernel_info: ['version', 'arguments', 'path', 'device'],
  deb_packages: ['name', 'version', 'source', 'size', 'arch', 'revision'],
  rpm_packages: ['name', 'version', 'release', 'source', 'size', 'arch'],
  apps: ['name', 'path', 'bundle_identifier', 'bundle_version', 'bundle_short_version'],
  programs: ['name', 'version', 'install_location', 'publisher', 'install_date'],
  crontab: ['event', 'minute', 'hour', 'day_of_month', 'month', 'day_of_week', 'command', 'path'],
  etc_hosts: ['address', 'hostnames'],
  logged_in_users: ['type', 'user', 'tty', 'host', 'time', 'pid'],
  mounts: ['device', 'path', 'type', 'blocks_size', 'blocks', 'blocks_free', 'flags'],
  file: ['path', 'directory', 'filename', 'inode', 'uid', 'gid', 'mode', 'size', 'mtime', 'type'],
  hash: ['path', 'directory', 'md5', 'sha1', 'sha256'],
};

export interface EditorHandle {
  view: EditorView;
  setValue(text: string): void;
}

export function createEditor(parent: HTMLElement, options: { value: string; language: 'sql' | 'yaml'; label: string; readOnly?: boolean; onChange(text: string): void }): EditorHandle {
  const language = options.language === 'sql' ? sql({ dialect: SQLite, schema: OSQUERY_TABLES, upperCaseKeywords: true }) : yaml();
  const view = new EditorView({
    doc: options.value,
    parent,
    extensions: [
      basicSetup,
      language,
      EditorView.lineWrapping,
      EditorView.editable.of(!options.readOnly),
      EditorView.contentAttributes.of({ 'aria-label': options.label }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) options.onChange(update.state.doc.toString());
      }),
    ],
  });
  return {
    view,
    setValue(text) {
      if (text !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
  };
}
