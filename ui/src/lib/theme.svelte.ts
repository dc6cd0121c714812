// Light or dark: the system's choice unless the user picked one (remembered on this
// machine). The resolved theme is the root's `data-theme`, which app.css keys its dark
// tokens on, so there is one set of dark colours whichever way it was chosen.

export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'switchboard.theme';
const dark = window.matchMedia('(prefers-color-scheme: dark)');

function stored(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

class Theme {
  choice = $state<ThemeChoice>(stored());

  constructor() {
    this.#apply();
    // The system switching (e.g. at sunset) shows at once when it is followed.
    dark.addEventListener('change', () => this.#apply());
  }

  set = (choice: ThemeChoice): void => {
    this.choice = choice;
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
    this.#apply();
  };

  #apply(): void {
    const resolved = this.choice === 'system' ? (dark.matches ? 'dark' : 'light') : this.choice;
    document.documentElement.dataset.theme = resolved;
    document.documentElement.style.colorScheme = resolved;
  }
}

export const theme = new Theme();
