/**
 * The map size every embedded LMDB environment opens with: address space, not disk or memory.
 *
 * lmdb-js starts a new environment with a small map and, each time the data outgrows it, maps
 * the file again at twice the size, keeping the older mappings: a page that was resident in one
 * stays resident there, so the file-backed part of the process's RSS came to about twice the
 * data (measured: 40,000 writes of 500 bytes, a 26 MB file, 51 MB resident over 8 mappings; with
 * this map size one mapping, 26 MB). On Linux the file is not extended to the map size (it
 * grows with the data), and a read-only shared file mapping is not charged as committed memory.
 * Data outgrowing it is remapped as before.
 */
export const LMDB_MAP_SIZE = 64 * 1024 ** 3;
