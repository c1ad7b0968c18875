import type { LabelSpec } from './spec-types';

/** The labels every Logbook has from the start, as Fleet ships them. They cannot be changed. */
export const BUILTIN_LABELS: readonly LabelSpec[] = [
  {
    name: 'All Hosts',
    description: 'All hosts which have enrolled in Fleet',
    query: 'select 1;',
    platform: '',
    label_membership_type: 'dynamic',
  },
  {
    name: 'macOS',
    description: 'All macOS hosts',
    query: "select 1 from os_version where platform = 'darwin';",
    platform: 'darwin',
    label_membership_type: 'dynamic',
  },
  {
    name: 'Ubuntu Linux',
    description: 'All Ubuntu hosts',
    query: "select 1 from os_version where platform = 'ubuntu';",
    platform: 'ubuntu',
    label_membership_type: 'dynamic',
  },
  {
    name: 'CentOS Linux',
    description: 'All CentOS hosts',
    query: "select 1 from os_version where platform = 'centos' or name like '%centos%'",
    platform: '',
    label_membership_type: 'dynamic',
  },
  {
    name: 'MS Windows',
    description: 'All Windows hosts',
    query: "select 1 from os_version where platform = 'windows';",
    platform: 'windows',
    label_membership_type: 'dynamic',
  },
  {
    name: 'Red Hat Linux',
    description: 'All Red Hat Enterprise Linux hosts',
    query: "select 1 from os_version where name like '%red hat%'",
    platform: '',
    label_membership_type: 'dynamic',
  },
  {
    name: 'All Linux',
    description: 'All Linux distributions',
    query: "SELECT 1 FROM osquery_info WHERE build_platform LIKE '%ubuntu%' OR build_distro LIKE '%centos%';",
    platform: '',
    label_membership_type: 'dynamic',
  },
];
