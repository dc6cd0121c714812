// Reading an engine's description (`list_engines`): where each described field's value
// lives in the form, what its input is called, how the fields are laid out, and what
// changes when the engine does. Nothing here names an engine: adding one to the backend
// needs no change in this file.
import type { Connection } from '../bindings/Connection';
import type { Engine } from '../bindings/Engine';
import type { EngineSpec } from '../bindings/EngineSpec';
import type { FieldSpec } from '../bindings/FieldSpec';
import type { OptionValue } from '../bindings/OptionValue';
import type { Section } from '../bindings/Section';
import type { TlsMode } from '../bindings/TlsMode';
import type { TlsModeSpec } from '../bindings/TlsModeSpec';
import type { FormValues } from './form';

export function specFor(engines: readonly EngineSpec[], engine: Engine): EngineSpec | undefined {
  return engines.find((e) => e.engine === engine);
}

/** The engine's label, or its raw name while the descriptions are not (yet) loaded. */
export function engineLabel(engines: readonly EngineSpec[], engine: Engine): string {
  return specFor(engines, engine)?.label ?? engine;
}

export function hasField(spec: EngineSpec, key: string): boolean {
  return spec.fields.some((f) => f.key === key);
}

/** The described keys kept in their own form value, each with its input's `name`. */
const COMMON = {
  host: 'host',
  port: 'port',
  database: 'database',
  username: 'username',
  password: 'password',
  'tls.mode': 'tls_mode',
  'tls.ca_pem': 'ca_pem',
  'tls.client_cert_pem': 'client_cert_pem',
  client_key: 'client_key',
} as const satisfies Record<string, keyof FormValues>;

type CommonKey = keyof typeof COMMON;
type TextValue = Exclude<(typeof COMMON)[CommonKey], 'tls_mode'>;

const OPTION_KEY = 'options.';
const OPTION_NAME = 'option-';

function isCommonKey(key: string): key is CommonKey {
  return Object.hasOwn(COMMON, key);
}

/** `options.<name>` → `<name>`; null for the common fields. */
export function optionName(key: string): string | null {
  return key.startsWith(OPTION_KEY) ? key.slice(OPTION_KEY.length) : null;
}

/** The input's `name`: the common fields keep theirs (`host`, `tls_mode`, `ca_pem`, …);
 *  an engine option is `option-<name>`. */
export function inputName(key: string): string {
  if (isCommonKey(key)) return COMMON[key];
  const option = optionName(key);
  return option === null ? key.replaceAll('.', '-') : `${OPTION_NAME}${option}`;
}

/** The dotted field path (as issues name it) of an option input's `name`, else null. */
export function optionPathOfName(name: string): string | null {
  return name.startsWith(OPTION_NAME) ? `${OPTION_KEY}${name.slice(OPTION_NAME.length)}` : null;
}

export function inputId(key: string): string {
  return `f-${inputName(key).replaceAll('_', '-')}`;
}

export const TLS_MODE_VALUES: readonly TlsMode[] = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'];

function isTlsMode(text: string): text is TlsMode {
  return (TLS_MODE_VALUES as readonly string[]).includes(text);
}

function defaultText(f: FieldSpec): string {
  return f.default === undefined || typeof f.default === 'boolean' ? '' : String(f.default);
}

/** What a text-like input (text, select, port, …) shows. An option not set shows its
 *  select's default, as the backend applies it; a text option shows its placeholder. */
export function textOf(v: FormValues, f: FieldSpec): string {
  if (isCommonKey(f.key)) return v[COMMON[f.key]];
  const option = optionName(f.key);
  if (option === null) return '';
  const value = v.options[option];
  if (typeof value === 'string') return value;
  return f.kind === 'select' ? defaultText(f) : '';
}

export function setText(v: FormValues, f: FieldSpec, text: string): void {
  if (f.key === 'tls.mode') {
    if (isTlsMode(text)) v.tls_mode = text;
  } else if (isCommonKey(f.key)) {
    v[COMMON[f.key] as TextValue] = text;
  } else {
    const option = optionName(f.key);
    if (option !== null) v.options[option] = text;
  }
}

export function boolOf(v: FormValues, f: FieldSpec): boolean {
  const option = optionName(f.key);
  const value = option === null ? undefined : v.options[option];
  return typeof value === 'boolean' ? value : f.default === true;
}

export function setBool(v: FormValues, f: FieldSpec, on: boolean): void {
  const option = optionName(f.key);
  if (option !== null) v.options[option] = on;
}

/** Copies an input's text into the form by its `name`; for WebDriver's clear(), which
 *  fires only `change`. False when the name is not a described text input. */
export function writeInput(v: FormValues, spec: EngineSpec, name: string, text: string): boolean {
  const f = spec.fields.find((x) => x.kind !== 'bool' && inputName(x.key) === name);
  if (!f) return false;
  setText(v, f, text);
  return true;
}

export function supportedTlsModes(spec: EngineSpec): TlsModeSpec[] {
  return spec.tls_modes.filter((m) => m.supported);
}

/** The mode to use when the user has not chosen one: the described default, else the
 *  first level the engine supports. */
export function defaultTlsMode(spec: EngineSpec): TlsMode | undefined {
  const wanted = spec.fields.find((f) => f.key === 'tls.mode')?.default;
  const supported = supportedTlsModes(spec);
  return supported.find((m) => m.mode === wanted)?.mode ?? supported[0]?.mode;
}

/** The options a new connection starts with: the described defaults. */
export function initialOptions(spec: EngineSpec): Record<string, OptionValue> {
  const options: Record<string, OptionValue> = {};
  for (const f of spec.fields) {
    const option = optionName(f.key);
    if (option === null || f.default === undefined) continue;
    options[option] = f.kind === 'bool' ? f.default === true : String(f.default);
  }
  return options;
}

/** The options as sent: only the ones the engine describes, booleans for checkboxes, text
 *  only when not blank. Keys sorted, as the backend stores them, so that an edit that
 *  changes nothing compares equal. */
export function sentOptions(spec: EngineSpec, options: Record<string, OptionValue>): Record<string, OptionValue> {
  const sent: [string, OptionValue][] = [];
  for (const f of spec.fields) {
    const option = optionName(f.key);
    if (option === null || !Object.hasOwn(options, option)) continue;
    const value = options[option];
    if (f.kind === 'bool' ? typeof value === 'boolean' : typeof value === 'string' && value.trim() !== '') {
      sent.push([option, value as OptionValue]);
    }
  }
  sent.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(sent);
}

/** Puts the form on another engine: its defaults for the options, its default port unless
 *  the user typed another, and a TLS mode it supports. What the new engine does not show
 *  is kept in the form (so switching back restores it) but not sent. */
export function switchEngine(v: FormValues, engines: readonly EngineSpec[], to: EngineSpec): void {
  const from = specFor(engines, v.engine);
  const port = v.port.trim();
  const customPort = port !== '' && !engines.some((e) => e.default_port !== undefined && String(e.default_port) === port);
  v.engine = to.engine;
  v.options = initialOptions(to);
  if (!customPort) v.port = to.default_port === undefined ? '' : String(to.default_port);
  // A mode the old engine did not let the user choose (one forced by a file-based engine)
  // is no choice to keep.
  const chosen = from === undefined || hasField(from, 'tls.mode');
  const supported = supportedTlsModes(to).some((m) => m.mode === v.tls_mode);
  if (!chosen || !supported) v.tls_mode = defaultTlsMode(to) ?? v.tls_mode;
  for (const f of to.fields) {
    // Other described defaults fill only what is empty.
    if (f.default === undefined || optionName(f.key) !== null) continue;
    if (f.key === 'port' || f.key === 'tls.mode') continue;
    if (textOf(v, f) === '') setText(v, f, defaultText(f));
  }
}

/** A new connection's form values on this engine: every described default shown. */
export function applyDefaults(v: FormValues, spec: EngineSpec): void {
  v.engine = spec.engine;
  v.options = initialOptions(spec);
  v.port = spec.default_port === undefined ? '' : String(spec.default_port);
  v.tls_mode = defaultTlsMode(spec) ?? v.tls_mode;
  for (const f of spec.fields) {
    if (f.default === undefined || optionName(f.key) !== null || f.key === 'tls.mode') continue;
    setText(v, f, defaultText(f));
  }
}

export const SECTIONS: readonly { section: Section; label: string }[] = [
  { section: 'server', label: 'Server' },
  { section: 'authentication', label: 'Authentication' },
  { section: 'security', label: 'Security' },
  { section: 'advanced', label: 'Advanced' },
];

/** One row of a section: a host with its port beside it, two short fields side by side,
 *  or one field across. */
export type Row =
  | { type: 'host-port'; host: FieldSpec; port: FieldSpec }
  | { type: 'halves'; fields: [FieldSpec, FieldSpec] }
  | { type: 'full'; field: FieldSpec };

/** Short inputs that may share a row. */
function isShort(f: FieldSpec): boolean {
  if (optionName(f.key) === null && !['database', 'username'].includes(f.key)) return false;
  return f.kind === 'text' || f.kind === 'number' || f.kind === 'secret' || f.kind === 'select';
}

export function rows(fields: readonly FieldSpec[]): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const next = fields[i + 1];
    if (!f) continue;
    if (next && f.key === 'host' && next.key === 'port') {
      out.push({ type: 'host-port', host: f, port: next });
      i++;
    } else if (next && isShort(f) && isShort(next)) {
      out.push({ type: 'halves', fields: [f, next] });
      i++;
    } else {
      out.push({ type: 'full', field: f });
    }
  }
  return out;
}

function hostWithPort(host: string, port: number): string {
  // IPv6 literals bracketed so the port stays readable.
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Where a connection points, for the list and the title: `host:port/db`, a host list
 *  as typed, or the file of a file-based engine. */
export function endpoint(
  c: Pick<Connection, 'engine' | 'host' | 'port' | 'database'>,
  engines: readonly EngineSpec[],
): string {
  const spec = specFor(engines, c.engine);
  const hostKind = spec ? spec.fields.find((f) => f.key === 'host')?.kind : 'host';
  if (hostKind === undefined) return c.database;
  const several = hostKind === 'host_list' && /[,:]/.test(c.host);
  const server = several || c.port === 0 ? c.host : hostWithPort(c.host, c.port);
  return c.database === '' ? server : `${server}/${c.database}`;
}
