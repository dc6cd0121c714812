// Environment labels and colours. Labels and default colours come from the backend's
// `list_environments` (loaded once at start-up); nothing here repeats them.
import type { Environment } from '../bindings/Environment';
import type { EnvironmentInfo } from '../bindings/EnvironmentInfo';

export function environmentInfo(
  environments: readonly EnvironmentInfo[],
  environment: Environment | null | '',
): EnvironmentInfo | undefined {
  return environment ? environments.find((e) => e.environment === environment) : undefined;
}

/** The environment's label, or its raw name while the list is not (yet) loaded. */
export function environmentLabel(environments: readonly EnvironmentInfo[], environment: Environment): string {
  return environmentInfo(environments, environment)?.label ?? environment;
}

/** The colour a connection is shown in: its own, else its environment's, else none. */
export function labelColor(
  environments: readonly EnvironmentInfo[],
  c: { environment: Environment | null | ''; color: string | null },
): string | null {
  if (c.color) return c.color;
  return environmentInfo(environments, c.environment)?.default_color ?? null;
}

const HEX = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i;

/** Dark or light text, whichever reads better on a solid `#rrggbb` background
 *  (WCAG relative luminance; a user may pick any colour). */
export function textOn(background: string): 'dark' | 'light' {
  const m = HEX.exec(background);
  if (!m) return 'light';
  const linear = (hex: string | undefined): number => {
    const c = parseInt(hex ?? '0', 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * linear(m[1]) + 0.7152 * linear(m[2]) + 0.0722 * linear(m[3]);
  // Where the contrast with white, 1.05/(L+0.05), equals that with black, (L+0.05)/0.05.
  return luminance > 0.18 ? 'dark' : 'light';
}
