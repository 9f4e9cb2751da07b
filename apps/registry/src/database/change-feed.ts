/**
 * Listens on PostgreSQL's `hsm_registry_changes` channel (fed by a trigger on `components`, see
 * prisma/migrations/*_notify_component_changes) and tells subscribers which component changed. While the
 * listening connection is down the feed is not `live`: caches must not serve from memory then, since they would
 * miss invalidations; they are told to drop everything on every (re)connect.
 */
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config.js';

export type ChangeListener = (normalizedName: string | null) => void;

@Injectable()
export class ChangeFeed implements OnModuleInit, OnModuleDestroy {
  private client: pg.Client | undefined;
  private listeners: ChangeListener[] = [];
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  live = false;

  constructor(@Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig) {}

  /** `null` means "anything may have changed". */
  subscribe(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  async onModuleInit(): Promise<void> {
    await this.connect().catch(() => this.scheduleReconnect());
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.live = false;
    await this.client?.end().catch(() => undefined);
  }

  private emit(name: string | null): void {
    for (const l of this.listeners) l(name);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.databaseUrl });
    client.on('notification', (n) => this.emit(n.payload ?? null));
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    await client.connect();
    await client.query('LISTEN hsm_registry_changes');
    this.client = client;
    this.emit(null); // anything cached before this point may have missed a notification
    this.live = true;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.live = false;
    this.emit(null);
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => {
      this.connect().catch(() => this.scheduleReconnect());
    }, 1000);
    this.retry.unref();
  }
}
