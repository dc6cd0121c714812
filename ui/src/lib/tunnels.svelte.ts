// Tunnels the window keeps open (a saved connection's SSH route forwarded on 127.0.0.1):
// one shared list, so the toolbar's Open/Close and the list's badge agree. The backend
// owns them; this mirrors what it says.
import type { ApiError } from '../bindings/ApiError';
import type { OpenTunnelInfo } from '../bindings/OpenTunnelInfo';
import { api, toApiError } from './api';

class Tunnels {
  open = $state<OpenTunnelInfo[]>([]);
  /** The connection whose tunnel is being opened. */
  opening = $state<string | null>(null);
  error = $state<{ id: string; error: ApiError } | null>(null);

  of = (id: string): OpenTunnelInfo | undefined => this.open.find((t) => t.id === id);

  refresh = async (): Promise<void> => {
    this.open = await api.listTunnels().catch(() => this.open);
  };

  start = async (id: string): Promise<void> => {
    this.opening = id;
    this.error = null;
    try {
      const info = await api.openTunnel(id);
      this.open = [...this.open.filter((t) => t.id !== id), info];
    } catch (e) {
      this.error = { id, error: toApiError(e) };
    } finally {
      this.opening = null;
    }
  };

  stop = async (id: string): Promise<void> => {
    await api.closeTunnel(id).catch(() => {});
    this.open = this.open.filter((t) => t.id !== id);
  };
}

export const tunnels = new Tunnels();
