import type { ConnectionSummary } from '../bindings/ConnectionSummary';
import type { Environment } from '../bindings/Environment';

/** The list's open dialog, if any, and what it edits. */
export type Ask =
  | { kind: 'new-folder'; parent: string; value: string }
  | { kind: 'rename-folder'; path: string; value: string }
  | { kind: 'delete-folder'; path: string; count: number }
  | { kind: 'move'; ids: string[]; value: string }
  | { kind: 'tag'; ids: string[]; value: string; remove: boolean }
  | { kind: 'environment'; ids: string[]; value: Environment | '' }
  | { kind: 'delete'; ids: string[]; next: ConnectionSummary | null };
